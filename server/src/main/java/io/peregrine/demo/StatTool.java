package io.peregrine.demo;

import io.peregrine.rpc.JsonTree;
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

/** {@code fs.stat}: the type, size, modification time and access of a path under the root. */
final class StatTool {

    private static final String INPUT_SCHEMA = """
            {
              "type": "object",
              "properties": {
                "path": {"type": "string", "description": "File or directory, relative to the served root"}
              },
              "required": ["path"],
              "additionalProperties": false
            }""";

    private static final String OUTPUT_SCHEMA = """
            {
              "type": "object",
              "properties": {
                "path": {"type": "string", "description": "Where the file is, relative to the root, links resolved"},
                "type": {"enum": ["file", "directory", "other"]},
                "size": {"type": "integer", "minimum": 0},
                "lastModified": {"type": "string", "format": "date-time"},
                "readable": {"type": "boolean"},
                "writable": {"type": "boolean"}
              },
              "required": ["path", "type", "size", "lastModified", "readable", "writable"],
              "additionalProperties": false
            }""";

    private final SandboxRoot root;

    private StatTool(SandboxRoot root) {
        this.root = root;
    }

    static Tool create(SandboxRoot root) {
        StatTool tool = new StatTool(root);
        return FileSystemTools.readOnlyTool("fs.stat")
                .title("Describe a file")
                .description("Describes a file or directory under the served root: type, size in bytes, last "
                        + "modification time (ISO-8601, UTC) and whether the server may read and write it. "
                        + "Symbolic links inside the root are followed.")
                .inputSchema(INPUT_SCHEMA)
                .outputSchema(OUTPUT_SCHEMA)
                .handler(tool::call)
                .build();
    }

    private ToolResult call(ToolArguments args, ToolContext context) throws ToolException {
        String path = args.string("path");
        Path file = root.resolve(path);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw SandboxRoot.failure(path, e);
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("path", root.display(file));
        info.put("type", FileEntry.typeOf(attributes));
        info.put("size", FileEntry.sizeOf(attributes));
        info.put("lastModified", attributes.lastModifiedTime().toInstant().toString());
        info.put("readable", Files.isReadable(file));
        info.put("writable", Files.isWritable(file));
        // the same JSON as text, for clients that read only content
        return ToolResult.builder().text(JsonTree.toJson(info)).structured(info).build();
    }
}
