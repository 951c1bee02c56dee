package io.peregrine.demo;

import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/** One entry of a listing: its name relative to the listed directory, its type and its size. */
final class FileEntry {

    static final String FILE = "file";
    static final String DIRECTORY = "directory";
    static final String SYMLINK = "symlink";
    static final String OTHER = "other";

    private final String name;
    private final String type;
    private final long size;

    private FileEntry(String name, String type, long size) {
        this.name = name;
        this.type = type;
        this.size = size;
    }

    /** The entry for attributes read without following links, so a link is reported as one. */
    static FileEntry of(String name, BasicFileAttributes attributes) {
        return new FileEntry(name, typeOf(attributes), sizeOf(attributes));
    }

    static String typeOf(BasicFileAttributes attributes) {
        if (attributes.isSymbolicLink()) {
            return SYMLINK;
        }
        if (attributes.isDirectory()) {
            return DIRECTORY;
        }
        return attributes.isRegularFile() ? FILE : OTHER;
    }

    /** The size in bytes of a regular file; 0 for anything else, whose "size" means nothing to a reader. */
    static long sizeOf(BasicFileAttributes attributes) {
        return attributes.isRegularFile() ? attributes.size() : 0L;
    }

    String name() {
        return name;
    }

    String type() {
        return type;
    }

    long size() {
        return size;
    }

    /** The entry as structured content: {@code {"name","type","size"}}. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("type", type);
        map.put("size", size);
        return map;
    }
}
