package io.peregrine.demo;

import io.peregrine.tool.InvalidArgumentsException;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.regex.PatternSyntaxException;

/**
 * Decides which files an {@code fs.search} pattern names.
 *
 * <p>A pattern with glob syntax ({@code * ? [ {}) is a glob: without a {@code /} it is matched
 * against file names at any depth ({@code *.java}); with one, against paths relative to the searched
 * directory ({@code src/**}{@code /*.java}), where a leading <code>**&#47;</code> also matches no
 * directory at all, as people expect. Any other pattern matches file names that contain it.
 */
final class NameMatcher {

    private final String substring;
    private final boolean byPath;
    private final PathMatcher glob;
    private final PathMatcher globAtTop;

    private NameMatcher(String substring, boolean byPath, PathMatcher glob, PathMatcher globAtTop) {
        this.substring = substring;
        this.byPath = byPath;
        this.glob = glob;
        this.globAtTop = globAtTop;
    }

    static NameMatcher of(String pattern) throws InvalidArgumentsException {
        if (pattern.isEmpty()) {
            throw new InvalidArgumentsException("pattern : \"\" (expected: a glob or part of a file name)");
        }
        if (!isGlob(pattern)) {
            return new NameMatcher(pattern, false, null, null);
        }
        try {
            // Java's **/ needs at least one directory; the top level is matched by the rest of the pattern
            PathMatcher atTop = pattern.startsWith("**/") ? compile(pattern.substring(3)) : null;
            return new NameMatcher(null, pattern.indexOf('/') >= 0, compile(pattern), atTop);
        } catch (PatternSyntaxException e) {
            throw new InvalidArgumentsException("pattern : \"" + pattern + "\" (expected: a valid glob; "
                    + e.getDescription() + " at index " + e.getIndex() + ")");
        }
    }

    /** Whether the file {@code relativePath} ({@code /}-separated), whose name is {@code fileName}, matches. */
    boolean matches(String relativePath, String fileName) {
        if (substring != null) {
            return fileName.contains(substring);
        }
        if (!byPath) {
            return glob.matches(Path.of(fileName));
        }
        Path path = Path.of(relativePath);
        return glob.matches(path) || (globAtTop != null && globAtTop.matches(path));
    }

    private static boolean isGlob(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            switch (pattern.charAt(i)) {
                case '*':
                case '?':
                case '[':
                case '{':
                    return true;
                default:
                    break;
            }
        }
        return false;
    }

    private static PathMatcher compile(String glob) {
        return FileSystems.getDefault().getPathMatcher("glob:" + glob);
    }
}
