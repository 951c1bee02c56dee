package io.peregrine.docs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the documentation's references true: every relative link of README.md and docs/*.md names a
 * file that exists and, with {@code #...}, an anchor of it; every guide is on the README's map; every
 * repository script a command block runs exists; every class the architecture guide names exists;
 * and the README stays a short front door with the two commands.
 */
class DocsLinksTest {

    /**
     * Guides written elsewhere that the guides already link to. While one is missing, links to it are
     * not checked; once it exists this test fails until it is taken off the list, so that its links
     * and anchors are checked from then on.
     */
    private static final Set<String> PENDING_GUIDES = Set.of();

    /** Names in backticks in architecture.md that are not Peregrine's own classes. */
    private static final Set<String> FOREIGN_NAMES = Set.of(
            "ByteBuf", "ChannelPipeline", "EmbeddedChannel", "HttpServerCodec", "HttpObjectAggregator", "JsonGenerator",
            "JsonParser", "IdleStateHandler", "WebSocketServerProtocolHandler", "Http2MultiplexHandler",
            "SslHandler", "MultiThreadIoEventLoopGroup", "MessageToMessageCodec", "ArchUnit");

    private static final Pattern BACKTICKED_CLASS = Pattern.compile("`([A-Z][A-Za-z0-9]+)(?:[.#][A-Za-z0-9_]+\\(?\\)?)?`");
    /** A class name in a Mermaid diagram: a word with a capital inside it, as Java class names have. */
    private static final Pattern DIAGRAM_CLASS = Pattern.compile("\\b([A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*)\\b");
    private static final Pattern BACKTICKED_PACKAGE = Pattern.compile("`(io\\.peregrine(?:\\.[a-z0-9]+)*)(?:\\.([A-Z][A-Za-z0-9]*))?`");

    private static Path root;
    private static List<Markdown> docs;

    @BeforeAll
    static void read() {
        root = DocsExamplesTest.repositoryRoot();
        docs = Markdown.all(root);
    }

    @Test
    void everyRelativeLinkNamesAFileAndAnchorThatExist() {
        Map<Path, Markdown> byFile = new HashMap<>();
        docs.forEach(d -> byFile.put(d.file().normalize(), d));
        List<String> problems = new ArrayList<>();
        for (Markdown doc : docs) {
            for (Markdown.Link link : doc.links()) {
                String target = link.target();
                if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
                    continue; // https:, mailto:
                }
                String where = root.relativize(link.file()) + ":" + link.line() + " -> " + target;
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path file = path.isEmpty() ? doc.file() : doc.file().getParent().resolve(path).normalize();
                if (!file.startsWith(root)) {
                    problems.add(where + ": outside the repository");
                    continue;
                }
                String relative = root.relativize(file).toString();
                if (!Files.exists(file)) {
                    if (!PENDING_GUIDES.contains(relative)) {
                        problems.add(where + ": no such file");
                    }
                    continue;
                }
                if (anchor != null) {
                    Markdown target2 = byFile.computeIfAbsent(file, f -> f.toString().endsWith(".md") ? Markdown.read(f) : null);
                    if (target2 == null) {
                        problems.add(where + ": an anchor in a file that is not Markdown");
                    } else if (!target2.anchors().contains(anchor)) {
                        problems.add(where + ": no heading or <a id> gives the anchor #" + anchor + " in " + relative);
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void pendingGuidesAreTakenOffTheListOnceTheyExist() {
        for (String guide : PENDING_GUIDES) {
            assertThat(root.resolve(guide))
                    .as("%s exists now: remove it from DocsLinksTest.PENDING_GUIDES so that its links are checked", guide)
                    .doesNotExist();
        }
    }

    @Test
    void theReadmeMapsEveryGuide() {
        Markdown readme = docs.get(0);
        Set<String> linked = new HashSet<>();
        for (Markdown.Link link : readme.links()) {
            linked.add(link.target().replaceAll("#.*$", ""));
        }
        List<String> unmapped = new ArrayList<>();
        for (Markdown doc : docs.subList(1, docs.size())) {
            String relative = root.relativize(doc.file()).toString();
            if (!linked.contains(relative)) {
                unmapped.add(relative);
            }
        }
        assertThat(unmapped).as("guides the README does not link to").isEmpty();
    }

    @Test
    void theReadmeIsAShortFrontDoorWithTheTwoCommands() throws IOException {
        Markdown readme = docs.get(0);
        assertThat(readme.lineCount()).as("README.md lines (the front door; detail belongs in docs/)").isLessThanOrEqualTo(250);
        boolean both = readme.blocks().stream().anyMatch(b -> b.text().lines().anyMatch(l -> l.startsWith("./peregrine "))
                && b.text().lines().anyMatch(l -> l.startsWith("mvn -B test ")));
        assertThat(both).as("a README block with the two commands, ./peregrine and mvn -B test").isTrue();
        assertThat(root.resolve("peregrine")).isExecutable();
        assertThat(Files.readString(root.resolve(".ci/run"))).as("CI runs the README's test command").contains("\nmvn -B test\n");
    }

    @Test
    void everyScriptACommandBlockRunsExists() {
        Pattern script = Pattern.compile("(?:^|[|;&(]|\\$\\()\\s*(?:\\$ )?(?:[A-Z_][A-Z0-9_]*=\\S+\\s+)*((?:\\./|[a-z-]+/)[\\w./-]+)");
        List<String> problems = new ArrayList<>();
        for (Markdown doc : docs) {
            for (Markdown.Block b : doc.blocks()) {
                if (!Set.of("sh", "console", "bash", "shell").contains(b.info())) {
                    continue;
                }
                for (String line : b.text().split("\n")) {
                    Matcher m = script.matcher(line.replaceAll("'[^']*'", "''"));
                    while (m.find()) {
                        Path file = root.resolve(m.group(1)).normalize();
                        if (!Files.isExecutable(file) || Files.isDirectory(file)) {
                            problems.add(b.where(root) + ": " + m.group(1) + " is not an executable file of the repository");
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyClassAndPackageTheArchitectureGuideNamesExists() {
        Set<String> classes = new HashSet<>();
        Set<String> packages = new HashSet<>();
        for (String module : List.of("server/src/main/java", "server/src/test/java", "conformance/src/main/java", "bench/src/main/java", "loadtest/src/main/java",
                "loadtest/src/test/java")) {
            Path base = root.resolve(module);
            if (!Files.isDirectory(base)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(base)) {
                files.forEach(f -> {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".java")) {
                        classes.add(name.substring(0, name.length() - ".java".length()));
                    } else if (Files.isDirectory(f)) {
                        packages.add(base.relativize(f).toString().replace('/', '.'));
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Markdown architecture = Markdown.read(root.resolve("docs/architecture.md"));
        String text;
        try {
            text = Files.readString(architecture.file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> unknown = new ArrayList<>();
        Matcher c = BACKTICKED_CLASS.matcher(text);
        while (c.find()) {
            if (!classes.contains(c.group(1)) && !FOREIGN_NAMES.contains(c.group(1))) {
                unknown.add(c.group(1));
            }
        }
        for (Markdown.Block b : architecture.blocks()) {
            if ("mermaid".equals(b.info())) {
                Matcher d = DIAGRAM_CLASS.matcher(b.text());
                while (d.find()) {
                    if (!classes.contains(d.group(1)) && !FOREIGN_NAMES.contains(d.group(1))) {
                        unknown.add(d.group(1) + " (in the diagram at " + b.where(root) + ")");
                    }
                }
            }
        }
        Matcher p = BACKTICKED_PACKAGE.matcher(text);
        while (p.find()) {
            if (!packages.contains(p.group(1))) {
                unknown.add(p.group(1));
            } else if (p.group(2) != null && !classes.contains(p.group(2))) {
                unknown.add(p.group(1) + "." + p.group(2));
            }
        }
        assertThat(unknown).as("names in docs/architecture.md that are no class or package of the repository").isEmpty();
    }
}
