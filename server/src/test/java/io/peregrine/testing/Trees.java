package io.peregrine.testing;

import java.util.List;
import java.util.Map;

/** Reads paths like {@code "result.content.0.text"} out of a JSON tree. */
public final class Trees {

    private Trees() {
    }

    public static Object at(Object tree, String path) {
        Object node = tree;
        for (String part : path.split("\\.")) {
            if (node instanceof Map) {
                node = ((Map<?, ?>) node).get(part);
            } else if (node instanceof List) {
                node = ((List<?>) node).get(Integer.parseInt(part));
            } else {
                return null;
            }
        }
        return node;
    }
}
