package io.peregrine.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the documentation tests read of a Markdown file: its fenced code blocks with the
 * {@code <!-- doc-test: KIND -->} marker in front of each, the anchors its headings get on the forge,
 * and its links. A small reader of the subset of CommonMark the guides use, not a renderer.
 */
final class Markdown {

    /** The comment that says how a fenced block is checked; it stands on the last non-blank line before the fence. */
    private static final Pattern MARKER = Pattern.compile("<!--\\s*doc-test:\\s*([a-z-]+)\\s*-->");
    private static final Pattern FENCE = Pattern.compile("^( *)(`{3,}|~{3,})\\s*([^`\\s]*).*$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
    private static final Pattern LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+\"[^\"]*\")?\\s*$");

    /** One fenced code block: where it starts (1-based line of its fence), its info string, marker and text. */
    record Block(Path file, int line, String info, String marker, String text) {

        /** {@code README.md:42} or {@code docs/transports.md:42}, for failure messages and test names. */
        String where(Path root) {
            return root.relativize(file) + ":" + line;
        }
    }

    /** One link: the line it is on and its target as written. */
    record Link(Path file, int line, String target) {
    }

    private final Path file;
    private final List<String> lines;
    private final List<Block> blocks = new ArrayList<>();
    private final List<Link> links = new ArrayList<>();
    private final Set<String> anchors = new LinkedHashSet<>();
    private final List<String> headings = new ArrayList<>();

    private Markdown(Path file, List<String> lines) {
        this.file = file;
        this.lines = lines;
        read();
    }

    static Markdown read(Path file) {
        try {
            return new Markdown(file, Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** README.md and every guide under docs/, in a stable order. */
    static List<Markdown> all(Path root) {
        List<Markdown> files = new ArrayList<>();
        files.add(read(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().map(Markdown::read).forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    Path file() {
        return file;
    }

    int lineCount() {
        return lines.size();
    }

    List<Block> blocks() {
        return blocks;
    }

    List<Link> links() {
        return links;
    }

    /** The anchors a link may name with {@code #...}: each heading's slug, and explicit {@code <a id>}s. */
    Set<String> anchors() {
        return anchors;
    }

    /** The text of every heading, in order. */
    List<String> headings() {
        return headings;
    }

    private void read() {
        Map<String, Integer> slugsSeen = new HashMap<>();
        String lastNonBlank = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fence = FENCE.matcher(line);
            if (fence.matches()) {
                i = readBlock(i, fence, lastNonBlank);
                lastNonBlank = "";
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String text = heading.group(2);
                headings.add(text);
                String slug = slug(text);
                int seen = slugsSeen.merge(slug, 1, Integer::sum);
                anchors.add(seen == 1 ? slug : slug + "-" + (seen - 1));
            }
            Matcher anchor = HTML_ANCHOR.matcher(line);
            while (anchor.find()) {
                anchors.add(anchor.group(1));
            }
            String prose = CODE_SPAN.matcher(line).replaceAll("");
            Matcher link = LINK.matcher(prose);
            while (link.find()) {
                links.add(new Link(file, i + 1, link.group(2)));
            }
            Matcher reference = REFERENCE.matcher(prose);
            if (reference.matches()) {
                links.add(new Link(file, i + 1, reference.group(1)));
            }
            if (!line.isBlank()) {
                lastNonBlank = line.trim();
            }
        }
    }

    /** Reads the block whose fence is on line {@code start}; returns the line of its closing fence. */
    private int readBlock(int start, Matcher fence, String lastNonBlank) {
        int indent = fence.group(1).length();
        String mark = fence.group(2);
        StringBuilder text = new StringBuilder();
        int i = start + 1;
        for (; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.startsWith(mark) && trimmed.chars().allMatch(c -> c == mark.charAt(0))) {
                break;
            }
            int cut = 0;
            while (cut < indent && cut < line.length() && line.charAt(cut) == ' ') {
                cut++;
            }
            text.append(line, cut, line.length()).append('\n');
        }
        Matcher marker = MARKER.matcher(lastNonBlank);
        blocks.add(new Block(file, start + 1, fence.group(3).toLowerCase(Locale.ROOT),
                marker.matches() ? marker.group(1) : null, text.toString()));
        return i;
    }

    /**
     * The anchor the forge gives a heading: the rendered text in lower case, without punctuation
     * (anything but letters, digits, {@code _}, {@code -} and spaces), spaces made hyphens.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
        StringBuilder slug = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '_' || c == '-') {
                slug.appendCodePoint(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        });
        return slug.toString();
    }
}
