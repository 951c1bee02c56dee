package io.peregrine.demo;

import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Read-only file tools confined to one directory: {@code fs.list}, {@code fs.read},
 * {@code fs.search} and {@code fs.stat}.
 *
 * <p>Every path a client gives is taken relative to the root. Absolute paths, {@code ..} leading
 * above the root and symbolic links whose real target lies outside it are refused with an error
 * result naming the path; the root's real path is fixed when the tools are created. Listings and
 * searches never follow symbolic links: a link is reported as {@code symlink}, wherever it points.
 *
 * <pre>{@code
 * Peregrine server = Peregrine.builder()
 *         .tcp("127.0.0.1", 0)
 *         .build();
 * FileSystemTools.create(Path.of("docs"), 1 << 20, 200).forEach(server.tools()::add);
 * }</pre>
 */
public final class FileSystemTools {

    /** None of the tools changes anything, and a directory is a closed world. */
    private static final ToolAnnotations READ_ONLY =
            ToolAnnotations.builder().readOnly(true).idempotent(true).openWorld(false).build();

    private FileSystemTools() {
    }

    /** A builder for one of these tools: read-only, idempotent, closed-world, and blocking (they do file I/O). */
    static Tool.Builder readOnlyTool(String name) {
        return Tool.builder(name).annotations(READ_ONLY).blocking(true);
    }

    /**
     * The four tools over {@code root}.
     *
     * @param root an existing directory; its real path (symbolic links resolved) is taken now
     * @param maxReadBytes the most bytes {@code fs.read} returns in one call, and the largest file
     *        {@code fs.search} reads to look for text
     * @param maxResults the most entries {@code fs.list} and matches {@code fs.search} return in one call
     * @return {@code fs.list}, {@code fs.read}, {@code fs.search} and {@code fs.stat}, all blocking and read-only
     * @throws IllegalArgumentException when {@code root} is not an existing directory or a limit is not positive
     */
    public static List<Tool> create(Path root, long maxReadBytes, int maxResults) {
        Objects.requireNonNull(root, "root");
        if (maxReadBytes <= 0) {
            throw new IllegalArgumentException("maxReadBytes : " + maxReadBytes + " (expected: > 0)");
        }
        if (maxReadBytes > Integer.MAX_VALUE - 8) {
            // one call's bytes are read into one array
            throw new IllegalArgumentException("maxReadBytes : " + maxReadBytes + " (expected: <= "
                    + (Integer.MAX_VALUE - 8) + ")");
        }
        if (maxResults <= 0) {
            throw new IllegalArgumentException("maxResults : " + maxResults + " (expected: > 0)");
        }
        SandboxRoot sandbox = SandboxRoot.of(root);
        return List.of(
                ListDirectoryTool.create(sandbox, maxResults),
                ReadFileTool.create(sandbox, maxReadBytes),
                SearchFilesTool.create(sandbox, maxReadBytes, maxResults),
                StatTool.create(sandbox));
    }
}
