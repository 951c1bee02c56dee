package io.peregrine.demo;

import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.Content;
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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code fs.read}: a file under the root, or a window of it, as UTF-8 text or, when the bytes are
 * not UTF-8, as an embedded blob.
 */
final class ReadFileTool {

    private static final String INPUT_SCHEMA = """
            {
              "type": "object",
              "properties": {
                "path": {"type": "string", "description": "File to read, relative to the served root"},
                "offset": {"type": "integer", "minimum": 0, "default": 0,
                           "description": "First byte to read"},
                "length": {"type": "integer", "minimum": 1,
                           "description": "Most bytes to read; default: the rest of the file, up to the limit"}
              },
              "required": ["path"],
              "additionalProperties": false
            }""";

    /** Stands for an absent {@code length}; no caller asks for this many bytes. */
    private static final long UNSET = Long.MIN_VALUE;

    private final SandboxRoot root;
    private final long maxReadBytes;

    private ReadFileTool(SandboxRoot root, long maxReadBytes) {
        this.root = root;
        this.maxReadBytes = maxReadBytes;
    }

    static Tool create(SandboxRoot root, long maxReadBytes) {
        ReadFileTool tool = new ReadFileTool(root, maxReadBytes);
        return FileSystemTools.readOnlyTool("fs.read")
                .title("Read a file")
                .description("Reads a file under the served root. UTF-8 text comes back as text, other bytes as an "
                        + "embedded base64 blob. At most " + maxReadBytes + " bytes per call: read larger files in "
                        + "pages with offset and length.")
                .inputSchema(INPUT_SCHEMA)
                .handler(tool::call)
                .build();
    }

    private ToolResult call(ToolArguments args, ToolContext context) throws ToolException {
        String path = args.string("path");
        long offset = args.integer("offset", 0);
        long length = args.integer("length", UNSET);
        if (offset < 0) {
            throw new InvalidArgumentsException("offset : " + offset + " (expected: >= 0)");
        }
        if (length != UNSET && length <= 0) {
            throw new InvalidArgumentsException("length : " + length + " (expected: > 0)");
        }
        if (length > maxReadBytes) {
            throw new ToolException("length " + length + " is over the limit of " + maxReadBytes
                    + " bytes per call; " + pagingHint(path, offset));
        }
        Path file = root.resolve(path);
        try {
            return read(path, file, offset, length);
        } catch (IOException e) {
            throw SandboxRoot.failure(path, e);
        }
    }

    private ToolResult read(String path, Path file, long offset, long length) throws IOException, ToolException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new ToolException("not a regular file: " + path);
        }
        long size = attributes.size();
        if (offset > size) {
            throw new ToolException("offset " + offset + " is past the end of " + path + " (" + size + " bytes)");
        }
        long remaining = size - offset;
        if (length == UNSET && remaining > maxReadBytes) {
            throw new ToolException(path + " has " + (offset == 0 ? size + " bytes" : remaining
                    + " bytes from offset " + offset) + ", over the limit of " + maxReadBytes
                    + " bytes per call; " + pagingHint(path, offset));
        }
        int count = (int) Math.min(length == UNSET ? remaining : length, remaining);
        byte[] bytes = FileBytes.read(file, offset, count);
        long end = offset + bytes.length;

        Utf8Window window = Utf8Window.decode(bytes, offset > 0, end < size);
        ToolResult.Builder result = ToolResult.builder();
        long from = offset;
        long to = end;
        if (window != null) {
            result.text(window.text());
            from = offset + window.start();
            to = offset + window.end();
        } else {
            String mime = Files.probeContentType(file);
            result.add(Content.embeddedBlob(root.uri(file).toString(),
                    mime != null ? mime : "application/octet-stream", bytes));
        }
        if (from > 0 || to < size) {
            // the file's bytes stay alone in the first item; where the page lies goes in a second one
            result.text(position(path, from, to, size));
        }
        return result.build();
    }

    private static String position(String path, long from, long to, long size) {
        String range = to > from ? "bytes " + from + " to " + (to - 1) : "no bytes at offset " + from;
        String next = to < size ? "; continue with offset " + to : "; end of file";
        return "[" + range + " of the " + size + " in " + path + next + "]";
    }

    private String pagingHint(String path, long offset) {
        Map<String, Object> example = new LinkedHashMap<>();
        example.put("path", path);
        example.put("offset", offset);
        example.put("length", maxReadBytes);
        return "read it in pages with offset and length, e.g. " + JsonTree.toJson(example)
                + ", then offset " + (offset + maxReadBytes) + ", and so on";
    }
}
