package io.peregrine.demo;

import io.peregrine.tool.Content;
import io.peregrine.tool.InvalidArgumentsException;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolException;
import io.peregrine.tool.ToolResult;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Read-only file tools confined to one directory: {@code fs.list}, {@code fs.read},
 * {@code fs.search} and {@code fs.stat}.
 *
 * <p>Confinement is checked on real paths: a request path is resolved against the root, must stay
 * inside it lexically (no absolute paths, no {@code ..} escapes), and its real path (symlinks
 * followed) must stay inside the root's real path too. Listings and searches never follow a
 * symlink; they report it as a symlink.
 */
public final class FileSystemTools {

    private static final ToolAnnotations READ_ONLY =
            ToolAnnotations.builder().readOnly(true).idempotent(true).openWorld(false).build();

    private final Path root;
    private final long maxReadBytes;
    private final int maxResults;

    private FileSystemTools(Path root, long maxReadBytes, int maxResults) {
        this.root = root;
        this.maxReadBytes = maxReadBytes;
        this.maxResults = maxResults;
    }

    /** The four tools over {@code root}. */
    public static List<Tool> create(Path root, long maxReadBytes, int maxResults) {
        if (maxReadBytes <= 0) {
            throw new IllegalArgumentException("maxReadBytes : " + maxReadBytes + " (expected: > 0)");
        }
        if (maxResults <= 0) {
            throw new IllegalArgumentException("maxResults : " + maxResults + " (expected: > 0)");
        }
        Path real;
        try {
            real = root.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("root : " + root + " (expected: an existing directory)", e);
        }
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException("root : " + root + " (expected: a directory)");
        }
        FileSystemTools fs = new FileSystemTools(real, maxReadBytes, maxResults);
        return List.of(fs.list(), fs.read(), fs.search(), fs.stat());
    }

    private Tool list() {
        return Tool.builder("fs.list")
                .title("List a directory")
                .description("Lists the entries of a directory under the served root (name, type, size), sorted by name.")
                .inputSchema("{\"type\":\"object\",\"properties\":{"
                        + "\"path\":{\"type\":\"string\",\"description\":\"Directory relative to the root\",\"default\":\".\"},"
                        + "\"recursive\":{\"type\":\"boolean\",\"default\":false}},\"additionalProperties\":false}")
                .outputSchema("{\"type\":\"object\",\"properties\":{\"entries\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
                        + "\"properties\":{\"name\":{\"type\":\"string\"},\"type\":{\"enum\":[\"file\",\"directory\",\"symlink\",\"other\"]},"
                        + "\"size\":{\"type\":\"integer\"}},\"required\":[\"name\",\"type\",\"size\"]}},"
                        + "\"truncated\":{\"type\":\"boolean\"}},\"required\":[\"entries\",\"truncated\"]}")
                .annotations(READ_ONLY)
                .handler((args, ctx) -> {
                    Path dir = resolve(args.string("path", "."));
                    if (!Files.isDirectory(dir)) {
                        throw new ToolException("not a directory: " + relative(dir));
                    }
                    boolean recursive = args.bool("recursive", false);
                    List<Map<String, Object>> entries = new ArrayList<>();
                    boolean truncated;
                    try (Stream<Path> walk = recursive ? Files.walk(dir) : Files.list(dir)) {
                        List<Path> paths = walk.filter(p -> !p.equals(dir)).sorted().limit(maxResults + 1L)
                                .collect(java.util.stream.Collectors.toList());
                        truncated = paths.size() > maxResults;
                        for (Path p : paths.subList(0, Math.min(paths.size(), maxResults))) {
                            entries.add(entry(dir.relativize(p).toString(), p));
                        }
                    }
                    StringBuilder text = new StringBuilder();
                    for (Map<String, Object> e : entries) {
                        text.append(e.get("type")).append('\t').append(e.get("size")).append('\t').append(e.get("name")).append('\n');
                    }
                    if (truncated) {
                        text.append("(truncated at ").append(maxResults).append(" entries)\n");
                    }
                    Map<String, Object> structured = new LinkedHashMap<>();
                    structured.put("entries", entries);
                    structured.put("truncated", truncated);
                    return ToolResult.builder().text(text.toString()).structured(structured).build();
                })
                .build();
    }

    private Tool read() {
        return Tool.builder("fs.read")
                .title("Read a file")
                .description("Reads a file under the served root: text as UTF-8, other bytes as an embedded blob. "
                        + "Page through large files with offset and length.")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},"
                        + "\"offset\":{\"type\":\"integer\",\"minimum\":0,\"default\":0},"
                        + "\"length\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[\"path\"],\"additionalProperties\":false}")
                .annotations(READ_ONLY)
                .handler((args, ctx) -> {
                    Path file = resolve(args.string("path"));
                    if (!Files.isRegularFile(file)) {
                        throw new ToolException("not a regular file: " + relative(file));
                    }
                    long offset = args.integer("offset", 0);
                    long length = args.integer("length", maxReadBytes);
                    if (offset < 0 || length <= 0) {
                        throw new InvalidArgumentsException("offset must be >= 0 and length > 0");
                    }
                    if (length > maxReadBytes) {
                        throw new ToolException("length " + length + " is over the limit of " + maxReadBytes
                                + " bytes per call; read in pages with offset and length");
                    }
                    long size = Files.size(file);
                    if (offset == 0 && !args.has("length") && size > maxReadBytes) {
                        throw new ToolException(relative(file) + " has " + size + " bytes, over the limit of "
                                + maxReadBytes + " per call; read it in pages with offset and length");
                    }
                    byte[] bytes = readRange(file, offset, (int) Math.min(length, Math.max(0, size - offset)));
                    String uri = file.toUri().toString();
                    String text = utf8(bytes);
                    if (text != null) {
                        return ToolResult.builder().text(text).build();
                    }
                    String mime = Files.probeContentType(file);
                    return ToolResult.of(Content.embeddedBlob(uri, mime != null ? mime : "application/octet-stream", bytes));
                })
                .build();
    }

    private Tool search() {
        return Tool.builder("fs.search")
                .title("Find files")
                .description("Finds files under a directory by glob (e.g. **/*.java) or by part of the name, "
                        + "optionally only those whose text contains a string.")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"pattern\":{\"type\":\"string\",\"minLength\":1},"
                        + "\"path\":{\"type\":\"string\",\"default\":\".\"},\"contains\":{\"type\":\"string\"}},"
                        + "\"required\":[\"pattern\"],\"additionalProperties\":false}")
                .annotations(READ_ONLY)
                .handler((args, ctx) -> {
                    String pattern = args.string("pattern");
                    Path dir = resolve(args.string("path", "."));
                    String contains = args.string("contains", null);
                    boolean glob = pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0
                            || pattern.indexOf('{') >= 0;
                    PathMatcher matcher;
                    try {
                        matcher = glob ? FileSystems.getDefault().getPathMatcher("glob:" + pattern) : null;
                    } catch (IllegalArgumentException e) {
                        throw new InvalidArgumentsException("pattern is not a valid glob: " + e.getMessage());
                    }
                    List<String> found = new ArrayList<>();
                    boolean truncated = false;
                    try (Stream<Path> walk = Files.walk(dir)) {
                        for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                            if (ctx.isCancelled()) {
                                throw new ToolException("search cancelled");
                            }
                            Path rel = dir.relativize(p);
                            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                                continue;
                            }
                            boolean nameMatches = matcher != null ? matcher.matches(rel)
                                    : p.getFileName().toString().contains(pattern);
                            if (nameMatches && (contains == null || fileContains(p, contains))) {
                                if (found.size() == maxResults) {
                                    truncated = true;
                                    break;
                                }
                                found.add(rel.toString());
                            }
                        }
                    }
                    StringBuilder text = new StringBuilder();
                    found.forEach(f -> text.append(f).append('\n'));
                    if (found.isEmpty()) {
                        text.append("no matches\n");
                    }
                    if (truncated) {
                        text.append("(truncated at ").append(maxResults).append(" matches)\n");
                    }
                    return ToolResult.text(text.toString());
                })
                .build();
    }

    private Tool stat() {
        return Tool.builder("fs.stat")
                .title("Describe a file")
                .description("Type, size, last modification time and access of a path under the served root.")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}},\"required\":[\"path\"],"
                        + "\"additionalProperties\":false}")
                .outputSchema("{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},\"type\":{\"type\":\"string\"},"
                        + "\"size\":{\"type\":\"integer\"},\"lastModified\":{\"type\":\"string\"},\"readable\":{\"type\":\"boolean\"},"
                        + "\"writable\":{\"type\":\"boolean\"}},\"required\":[\"path\",\"type\",\"size\",\"lastModified\"]}")
                .annotations(READ_ONLY)
                .handler((args, ctx) -> {
                    Path p = resolve(args.string("path"));
                    Map<String, Object> info = entry(relative(p), p);
                    info.put("path", info.remove("name"));
                    info.put("lastModified", Files.getLastModifiedTime(p).toInstant().toString());
                    info.put("readable", Files.isReadable(p));
                    info.put("writable", Files.isWritable(p));
                    return ToolResult.builder().text(io.peregrine.rpc.JsonTree.toJson(info)).structured(info).build();
                })
                .build();
    }

    /** The real path of {@code requested} under the root; refuses anything that leads out of it. */
    private Path resolve(String requested) throws ToolException {
        Path rel = Path.of(requested);
        if (rel.isAbsolute()) {
            throw new ToolException("absolute paths are not accepted: " + requested + " (give a path relative to the root)");
        }
        Path candidate = root.resolve(rel).normalize();
        if (!candidate.startsWith(root)) {
            throw new ToolException("path escapes the configured root: " + requested);
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ToolException("no such file: " + requested);
        } catch (IOException e) {
            throw new ToolException("cannot resolve " + requested + ": " + e.getMessage());
        }
        if (!real.startsWith(root)) {
            throw new ToolException("path escapes the configured root through a symbolic link: " + requested);
        }
        return real;
    }

    private String relative(Path p) {
        String rel = root.relativize(p).toString();
        return rel.isEmpty() ? "." : rel;
    }

    private static Map<String, Object> entry(String name, Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("type", a.isSymbolicLink() ? "symlink" : a.isDirectory() ? "directory" : a.isRegularFile() ? "file" : "other");
        e.put("size", a.isRegularFile() ? a.size() : 0L);
        return e;
    }

    private static byte[] readRange(Path file, long offset, int length) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(Math.min(offset, Files.size(file)));
            return in.readNBytes(length);
        }
    }

    private boolean fileContains(Path p, String needle) throws IOException {
        if (Files.size(p) > maxReadBytes) {
            return false;
        }
        String text = utf8(Files.readAllBytes(p));
        return text != null && text.contains(needle);
    }

    /** The bytes as text when they are valid UTF-8, else null. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
