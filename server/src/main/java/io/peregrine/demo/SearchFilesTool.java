package io.peregrine.demo;

import io.peregrine.tool.InvalidArgumentsException;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolArguments;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolException;
import io.peregrine.tool.ToolResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fs.search}: files under a directory of the root whose name matches a pattern and,
 * optionally, whose text contains a string.
 */
final class SearchFilesTool {

    private static final String INPUT_SCHEMA = """
            {
              "type": "object",
              "properties": {
                "pattern": {"type": "string", "minLength": 1,
                            "description": "A glob (*.java, src/**/*.java) or part of a file name"},
                "path": {"type": "string", "default": ".",
                         "description": "Directory to search, relative to the served root"},
                "contains": {"type": "string", "minLength": 1,
                             "description": "Only files whose UTF-8 text contains this string"}
              },
              "required": ["pattern"],
              "additionalProperties": false
            }""";

    private static final String OUTPUT_SCHEMA = """
            {
              "type": "object",
              "properties": {
                "matches": {"type": "array", "items": {"type": "string"}},
                "truncated": {"type": "boolean"},
                "skippedLargeFiles": {"type": "integer", "minimum": 0}
              },
              "required": ["matches", "truncated", "skippedLargeFiles"],
              "additionalProperties": false
            }""";

    private final SandboxRoot root;
    private final long maxReadBytes;
    private final int maxResults;

    private SearchFilesTool(SandboxRoot root, long maxReadBytes, int maxResults) {
        this.root = root;
        this.maxReadBytes = maxReadBytes;
        this.maxResults = maxResults;
    }

    static Tool create(SandboxRoot root, long maxReadBytes, int maxResults) {
        SearchFilesTool tool = new SearchFilesTool(root, maxReadBytes, maxResults);
        return FileSystemTools.readOnlyTool("fs.search")
                .title("Find files")
                .description("Finds files under a directory of the served root by glob (*.java matches names at "
                        + "any depth, src/**/*.java matches paths) or by part of the file name, optionally only those "
                        + "whose text contains a string. Returns paths relative to the searched directory, at most "
                        + maxResults + "; files over " + maxReadBytes + " bytes are not searched for text, and "
                        + "symbolic links are not followed.")
                .inputSchema(INPUT_SCHEMA)
                .outputSchema(OUTPUT_SCHEMA)
                .handler(tool::call)
                .build();
    }

    private ToolResult call(ToolArguments args, ToolContext context) throws ToolException {
        NameMatcher matcher = NameMatcher.of(args.string("pattern"));
        String path = args.string("path", ".");
        String contains = args.string("contains", null);
        if (contains != null && contains.isEmpty()) {
            throw new InvalidArgumentsException("contains : \"\" (expected: at least one character)");
        }
        Path directory = root.resolve(path);
        if (!Files.isDirectory(directory)) {
            throw new ToolException("not a directory: " + path);
        }
        Search search = new Search(matcher, contains);
        try {
            search.run(new TreeWalker(true, context), directory);
        } catch (IOException e) {
            throw SandboxRoot.failure(path, e);
        }
        return ToolResult.builder().text(search.report(path)).structured(search.structured()).build();
    }

    /** One call's progress: what matched so far and what was passed over. */
    private final class Search {
        private final NameMatcher matcher;
        private final String contains;
        private final List<String> matches = new ArrayList<>();
        private int skippedLargeFiles;
        private boolean complete;

        Search(NameMatcher matcher, String contains) {
            this.matcher = matcher;
            this.contains = contains;
        }

        void run(TreeWalker walker, Path directory) throws IOException, ToolException {
            complete = walker.walk(directory, this::visit);
        }

        private boolean visit(String name, Path file, BasicFileAttributes attributes) {
            // links are not followed, so a link never matches: its target may lie outside the root
            if (!attributes.isRegularFile() || !matcher.matches(name, file.getFileName().toString())) {
                return true;
            }
            if (contains != null) {
                if (attributes.size() > maxReadBytes) {
                    skippedLargeFiles++;
                    return true;
                }
                if (!textContains(file, attributes.size())) {
                    return true;
                }
            }
            if (matches.size() == maxResults) {
                return false;
            }
            matches.add(name);
            return true;
        }

        private boolean textContains(Path file, long size) {
            byte[] bytes;
            try {
                bytes = FileBytes.read(file, 0, (int) size);
            } catch (IOException e) {
                return false; // unreadable files cannot contain anything the caller may see
            }
            String text = Utf8Window.strict(bytes, 0, bytes.length);
            return text != null && text.contains(contains);
        }

        String report(String path) {
            StringBuilder text = new StringBuilder();
            if (matches.isEmpty()) {
                text.append("No files under ").append(path).append(" match the pattern")
                        .append(contains != null ? " and contain the text" : "").append(".\n");
            }
            for (String match : matches) {
                text.append(match).append('\n');
            }
            if (!complete) {
                text.append("(stopped at ").append(maxResults)
                        .append(" matches: narrow the pattern or search a subdirectory)\n");
            }
            if (skippedLargeFiles > 0) {
                text.append("(").append(skippedLargeFiles).append(skippedLargeFiles == 1 ? " file" : " files")
                        .append(" over ").append(maxReadBytes).append(" bytes not searched for the text)\n");
            }
            return text.toString();
        }

        Map<String, Object> structured() {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("matches", matches);
            result.put("truncated", !complete);
            result.put("skippedLargeFiles", skippedLargeFiles);
            return result;
        }
    }
}
