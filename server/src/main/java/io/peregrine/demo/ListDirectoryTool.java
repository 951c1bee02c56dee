package io.peregrine.demo;

import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolArguments;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolException;
import io.peregrine.tool.ToolResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code fs.list}: the entries of a directory under the root, optionally the whole tree below it. */
final class ListDirectoryTool {

    private static final String INPUT_SCHEMA = """
            {
              "type": "object",
              "properties": {
                "path": {"type": "string", "default": ".",
                         "description": "Directory to list, relative to the served root"},
                "recursive": {"type": "boolean", "default": false,
                              "description": "List the whole tree below the directory, depth first"}
              },
              "additionalProperties": false
            }""";

    private static final String OUTPUT_SCHEMA = """
            {
              "type": "object",
              "properties": {
                "entries": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {
                      "name": {"type": "string"},
                      "type": {"enum": ["file", "directory", "symlink", "other"]},
                      "size": {"type": "integer", "minimum": 0}
                    },
                    "required": ["name", "type", "size"],
                    "additionalProperties": false
                  }
                },
                "truncated": {"type": "boolean"}
              },
              "required": ["entries", "truncated"],
              "additionalProperties": false
            }""";

    private final SandboxRoot root;
    private final int maxResults;

    private ListDirectoryTool(SandboxRoot root, int maxResults) {
        this.root = root;
        this.maxResults = maxResults;
    }

    static Tool create(SandboxRoot root, int maxResults) {
        ListDirectoryTool tool = new ListDirectoryTool(root, maxResults);
        return FileSystemTools.readOnlyTool("fs.list")
                .title("List a directory")
                .description("Lists a directory under the served root: each entry's name, type (file, directory, "
                        + "symlink) and size in bytes, sorted by name. With recursive, lists the whole tree below it; "
                        + "symbolic links are reported, never followed. At most " + maxResults + " entries per call.")
                .inputSchema(INPUT_SCHEMA)
                .outputSchema(OUTPUT_SCHEMA)
                .handler(tool::call)
                .build();
    }

    private ToolResult call(ToolArguments args, ToolContext context) throws ToolException {
        String path = args.string("path", ".");
        boolean recursive = args.bool("recursive", false);
        Path directory = root.resolve(path);
        if (!Files.isDirectory(directory)) {
            throw new ToolException("not a directory: " + path);
        }
        List<FileEntry> entries = new ArrayList<>();
        boolean complete;
        try {
            complete = new TreeWalker(recursive, context).walk(directory, (name, p, attributes) -> {
                if (entries.size() == maxResults) {
                    return false;
                }
                entries.add(FileEntry.of(name, attributes));
                return true;
            });
        } catch (IOException e) {
            throw SandboxRoot.failure(path, e);
        }
        return ToolResult.builder()
                .text(listing(root.display(directory), entries, !complete))
                .structured(structured(entries, !complete))
                .build();
    }

    private String listing(String directory, List<FileEntry> entries, boolean truncated) {
        if (entries.isEmpty()) {
            return directory + " is empty.\n";
        }
        StringBuilder text = new StringBuilder();
        text.append(directory).append(":\n");
        for (FileEntry e : entries) {
            text.append(String.format("%-9s %12s  %s\n", e.type(),
                    e.type().equals(FileEntry.FILE) ? e.size() + " B" : "", e.name()));
        }
        if (truncated) {
            text.append("(truncated at ").append(maxResults)
                    .append(" entries: list a subdirectory, or find files with fs.search)\n");
        }
        return text.toString();
    }

    private static Map<String, Object> structured(List<FileEntry> entries, boolean truncated) {
        List<Map<String, Object>> items = new ArrayList<>(entries.size());
        for (FileEntry e : entries) {
            items.add(e.toMap());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("entries", items);
        result.put("truncated", truncated);
        return result;
    }
}
