package io.peregrine.demo;

import io.peregrine.completion.Completer;
import io.peregrine.completion.Completion;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceContents;
import io.peregrine.resource.ResourceHandler;
import io.peregrine.resource.ResourceNotFoundException;
import io.peregrine.resource.ResourceRequest;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.resource.UriTemplate;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The directory the {@code fs.*} tools serve, as MCP resources: each file is {@code fs:///} and its
 * path relative to the root, the URIs {@code fs.read} already puts in its results. The template
 * {@code fs:///{+path}} reads any file or directory under the root (a directory reads as a listing,
 * {@code inode/directory}), and completes paths one directory level at a time. UTF-8 files read as
 * text, others as blobs; the sandbox rules of {@link SandboxRoot} apply to every read.
 *
 * <pre>{@code
 * FileSystemResources files = FileSystemResources.create(Path.of("docs"), 1 << 20, 200);
 * Peregrine.builder().resourceTemplate(files.template());
 * files.resources().forEach(builder::resource);
 * }</pre>
 */
public final class FileSystemResources {

    /** A walk of the tree at start-up has no call to be cancelled with. */
    private static final ToolContext NO_CALL = new ToolContext() {
        @Override
        public String requestId() {
            return "";
        }

        @Override
        public String protocolVersion() {
            return "";
        }

        @Override
        public Map<String, Object> clientInfo() {
            return Map.of();
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void progress(double progress, Double total, String message) {
        }
    };

    private static final UriTemplate FILES = UriTemplate.of("fs:///{+path}");

    private final SandboxRoot root;
    private final long maxReadBytes;
    private final int maxResults;

    private FileSystemResources(SandboxRoot root, long maxReadBytes, int maxResults) {
        this.root = root;
        this.maxReadBytes = maxReadBytes;
        this.maxResults = maxResults;
    }

    /**
     * @param root         an existing directory
     * @param maxReadBytes the largest file a read returns
     * @param maxResults   the most files {@link #resources()} lists
     */
    public static FileSystemResources create(Path root, long maxReadBytes, int maxResults) {
        Objects.requireNonNull(root, "root");
        if (maxReadBytes <= 0 || maxReadBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxReadBytes : " + maxReadBytes + " (expected: 1 to "
                    + (Integer.MAX_VALUE - 8) + ")");
        }
        if (maxResults <= 0) {
            throw new IllegalArgumentException("maxResults : " + maxResults + " (expected: > 0)");
        }
        return new FileSystemResources(SandboxRoot.of(root), maxReadBytes, maxResults);
    }

    /** {@code fs:///{+path}}: any file or directory under the root, with path completion. */
    public ResourceTemplate template() {
        return ResourceTemplate.builder(FILES.template(), "files")
                .title("Files under the served root")
                .description("A file (text or blob) or a directory (a listing) under the served root, by its relative path")
                .blocking(true)
                .handler(this::read)
                .completion("path", pathCompleter())
                .build();
    }

    /** The regular files under the root as they are now, at most {@code maxResults}, in walk order. */
    public List<Resource> resources() {
        List<Resource> out = new ArrayList<>();
        ResourceHandler reader = this::read;
        try {
            new TreeWalker(true, NO_CALL).walk(root.resolve("."), (name, path, attrs) -> {
                if (attrs.isRegularFile()) {
                    Resource.Builder b = Resource.builder(root.uri(path).toString(), name).size(attrs.size())
                            .blocking(true).handler(reader);
                    String mime = mimeType(path);
                    if (mime != null) {
                        b.mimeType(mime);
                    }
                    out.add(b.build());
                }
                return out.size() < maxResults;
            });
        } catch (IOException | ToolException e) {
            throw new IllegalArgumentException("demo.fs.root cannot be listed: " + e.getMessage(), e);
        }
        return out;
    }

    /** Completes a relative path: the entries of the directory typed so far whose names start with the rest. */
    Completer pathCompleter() {
        return (typed, context) -> {
            String value = typed == null ? "" : typed;
            int slash = value.lastIndexOf('/');
            String dir = slash < 0 ? "" : value.substring(0, slash + 1);
            String prefix = value.substring(slash + 1);
            Path directory;
            try {
                directory = root.resolve(dir.isEmpty() ? "." : dir);
            } catch (ToolException e) {
                return Completion.empty();
            }
            if (!Files.isDirectory(directory)) {
                return Completion.empty();
            }
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.startsWith(prefix)) {
                        names.add(dir + name + (Files.isDirectory(entry) ? "/" : ""));
                    }
                }
            }
            names.sort(null);
            return Completion.of(names);
        };
    }

    List<ResourceContents> read(ResourceRequest request) throws Exception {
        String path = request.variable("path");
        if (path == null) {
            // a listed file, read by its own URI rather than through the template
            Map<String, String> vars = FILES.match(request.uri());
            path = vars == null ? null : vars.get("path");
        }
        if (path == null) {
            throw new ResourceNotFoundException(request.uri());
        }
        String relative = path.isEmpty() ? "." : path;
        Path file;
        try {
            file = root.resolve(relative);
        } catch (ToolException e) {
            throw new ResourceNotFoundException(request.uri(), "Resource not found: " + request.uri() + " (" + e.getMessage() + ")");
        }
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        if (attrs.isDirectory()) {
            StringBuilder listing = new StringBuilder();
            new TreeWalker(false, NO_CALL).walk(file, (name, p, a) -> {
                listing.append(name).append(a.isDirectory() ? "/" : "").append('\n');
                return true;
            });
            return List.of(ResourceContents.text(request.uri(), "inode/directory", listing.toString()));
        }
        if (!attrs.isRegularFile()) {
            throw new ResourceNotFoundException(request.uri(), "Resource not found: " + relative + " is not a regular file");
        }
        if (attrs.size() > maxReadBytes) {
            throw new IllegalStateException(relative + " has " + attrs.size() + " bytes, over the limit of "
                    + maxReadBytes + " (demo.fs.max-read-bytes); read it in pages with the fs.read tool");
        }
        byte[] bytes = FileBytes.read(file, 0, (int) attrs.size());
        String mime = mimeType(file);
        Utf8Window text = Utf8Window.decode(bytes, false, false);
        if (text != null) {
            return List.of(ResourceContents.text(request.uri(), mime != null ? mime : "text/plain", text.text()));
        }
        return List.of(ResourceContents.blob(request.uri(), mime != null ? mime : "application/octet-stream", bytes));
    }

    private static String mimeType(Path file) {
        try {
            return Files.probeContentType(file);
        } catch (IOException e) {
            return null;
        }
    }
}
