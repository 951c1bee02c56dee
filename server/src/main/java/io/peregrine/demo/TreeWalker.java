package io.peregrine.demo;

import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolException;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Walks a directory depth first, each directory's entries in name order, without following
 * symbolic links: a link is reported as a link and never entered, so a walk can neither leave the
 * root nor loop. The walk stops as soon as its visitor has seen enough or the call is cancelled.
 */
final class TreeWalker {

    private static final Comparator<Path> BY_NAME = Comparator.comparing(p -> p.getFileName().toString());

    /** Sees one entry of the walk. */
    @FunctionalInterface
    interface Visitor {

        /**
         * Visits {@code path}, named {@code relativeName} ({@code /}-separated, relative to the
         * walked directory). Returns false to end the walk.
         */
        boolean visit(String relativeName, Path path, BasicFileAttributes attributes) throws IOException;
    }

    private final boolean recursive;
    private final ToolContext context;

    /** A walker over one directory level, or the whole tree with {@code recursive}, for the call {@code context}. */
    TreeWalker(boolean recursive, ToolContext context) {
        this.recursive = recursive;
        this.context = context;
    }

    /**
     * Walks {@code directory}, which must be a real path with no links in it. Returns true when
     * every entry was visited, false when the visitor ended the walk.
     *
     * @throws IOException when {@code directory} itself cannot be read; subdirectories that cannot
     *         be read are passed over, as {@code find} does
     * @throws ToolException when the call is cancelled
     */
    boolean walk(Path directory, Visitor visitor) throws IOException, ToolException {
        return walk("", sortedChildren(directory), visitor);
    }

    private boolean walk(String prefix, List<Path> children, Visitor visitor)
            throws IOException, ToolException {
        for (Path child : children) {
            if (context.isCancelled() || Thread.currentThread().isInterrupted()) {
                throw new ToolException("cancelled while reading " + (prefix.isEmpty() ? "the directory" : prefix));
            }
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue; // deleted since the directory was read
            }
            String name = prefix + child.getFileName();
            if (!visitor.visit(name, child, attributes)) {
                return false;
            }
            if (recursive && attributes.isDirectory()) {
                List<Path> grandchildren;
                try {
                    grandchildren = sortedChildren(child);
                } catch (IOException e) {
                    continue; // unreadable or gone: its own entry was reported, its contents cannot be
                }
                if (!walk(name + "/", grandchildren, visitor)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static List<Path> sortedChildren(Path directory) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(children::add);
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        children.sort(BY_NAME);
        return children;
    }
}
