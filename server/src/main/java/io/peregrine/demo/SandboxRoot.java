package io.peregrine.demo;

import io.peregrine.tool.InvalidArgumentsException;
import io.peregrine.tool.ToolException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The directory the {@code fs.*} tools serve, and the only place they look.
 *
 * <p>A requested path is accepted when it is relative, stays inside the root once {@code .} and
 * {@code ..} are folded, and its real path (every symbolic link followed) lies inside the root's
 * real path. The lexical check runs before the file system is touched, so a path aimed outside the
 * root is refused without disclosing whether its target exists.
 *
 * <p>Messages name paths as the client gave them or relative to the root, never as absolute paths:
 * where the root lives on the server is none of the client's business.
 */
final class SandboxRoot {

    private final Path real;

    private SandboxRoot(Path real) {
        this.real = real;
    }

    /**
     * The sandbox over {@code root}, which must be an existing directory; its real path is taken
     * once, so that moving a symbolic link to the root later changes nothing.
     */
    static SandboxRoot of(Path root) {
        Objects.requireNonNull(root, "root");
        Path real;
        try {
            real = root.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("root : " + root + " (expected: an existing directory)", e);
        }
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException("root : " + root + " (expected: a directory)");
        }
        return new SandboxRoot(real);
    }

    /**
     * The real path of {@code requested}, a path relative to the root.
     *
     * @throws ToolException when the path is absolute, leads out of the root (lexically or through
     *         a symbolic link), or does not exist
     */
    Path resolve(String requested) throws ToolException {
        Path candidate = lexical(requested);
        Path resolved;
        try {
            resolved = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ToolException("no such file: " + requested);
        } catch (IOException e) {
            // a file used as a directory (a.txt/x) fails with an OS-worded error; it is simply missing
            if (!(e instanceof AccessDeniedException) && !Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                throw new ToolException("no such file: " + requested);
            }
            throw failure(requested, e);
        }
        if (!resolved.startsWith(real)) {
            throw new ToolException("path escapes the configured root through a symbolic link: " + requested);
        }
        return resolved;
    }

    /** {@code requested} resolved against the root with {@code .} and {@code ..} folded, checked to stay inside. */
    private Path lexical(String requested) throws ToolException {
        Path relative;
        try {
            relative = Path.of(requested);
        } catch (InvalidPathException e) {
            throw new InvalidArgumentsException("path : \"" + requested + "\" (expected: a valid file path; "
                    + e.getReason() + ")");
        }
        if (relative.isAbsolute() || relative.getRoot() != null) {
            throw new ToolException("path escapes the configured root: " + requested
                    + " is absolute; give a path relative to the root");
        }
        Path candidate = real.resolve(relative).normalize();
        if (!candidate.startsWith(real)) {
            throw new ToolException("path escapes the configured root: " + requested);
        }
        return candidate;
    }

    /** {@code inside}, a path under the root, relative to it with {@code /} separators; {@code .} for the root itself. */
    String display(Path inside) {
        StringJoiner joined = new StringJoiner("/");
        for (Path name : real.relativize(inside)) {
            joined.add(name.toString());
        }
        String relative = joined.toString();
        return relative.isEmpty() ? "." : relative;
    }

    /**
     * A URI naming {@code inside} relative to the root ({@code fs:///sub/a.bin}), for embedded
     * resources: a {@code file:} URI would give away the root's location on the server.
     */
    URI uri(Path inside) {
        String relative = display(inside);
        try {
            return new URI("fs", "", "/" + (relative.equals(".") ? "" : relative), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot name " + relative + " as a URI", e);
        }
    }

    /** A tool failure for an I/O error on {@code path}, worded without the absolute paths NIO puts in its messages. */
    static ToolException failure(String path, IOException e) {
        return new ToolException("cannot read " + path + ": " + reason(e), e);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemLoopException) {
            return "symbolic link loop";
        }
        if (e instanceof FileSystemException) {
            // getMessage() would repeat the absolute path; the reason alone is the OS's wording
            String reason = ((FileSystemException) e).getReason();
            return reason != null ? reason : e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
