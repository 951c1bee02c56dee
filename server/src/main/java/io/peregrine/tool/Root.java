package io.peregrine.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A root the client exposes: a {@code file://} URI and an optional name. */
public final class Root {

    private final String uri;
    private final String name;

    public Root(String uri, String name) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.name = name;
    }

    public String uri() {
        return uri;
    }

    /** The display name, or null. */
    public String name() {
        return name;
    }

    /**
     * Reads a {@code ListRootsResult} as the client sent it.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static List<Root> listFromTree(Object tree) {
        if (!(tree instanceof Map) || !(((Map<?, ?>) tree).get("roots") instanceof List)) {
            throw new IllegalArgumentException("a ListRootsResult must be an object with a \"roots\" array");
        }
        List<Root> roots = new ArrayList<>();
        for (Object item : (List<?>) ((Map<?, ?>) tree).get("roots")) {
            if (!(item instanceof Map) || !(((Map<?, ?>) item).get("uri") instanceof String)) {
                throw new IllegalArgumentException("each root must be an object with a string \"uri\"");
            }
            Object name = ((Map<?, ?>) item).get("name");
            roots.add(new Root((String) ((Map<?, ?>) item).get("uri"), name instanceof String ? (String) name : null));
        }
        return List.copyOf(roots);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Root && uri.equals(((Root) o).uri) && Objects.equals(name, ((Root) o).name);
    }

    @Override
    public int hashCode() {
        return uri.hashCode();
    }

    @Override
    public String toString() {
        return name == null ? uri : name + " (" + uri + ")";
    }
}
