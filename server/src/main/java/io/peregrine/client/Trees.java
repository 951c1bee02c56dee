package io.peregrine.client;

import com.fasterxml.jackson.core.JsonParser;
import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonInput;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RequestId;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Reads the raw slices of received messages into JSON trees. */
final class Trees {

    private Trees() {
    }

    /**
     * The JSON at {@code raw} (a params or result slice); an empty map when there is none. An
     * object or array is read with the thread's reusable parser when it is free, which saves making
     * a parser per message.
     */
    static Object read(ByteBuf raw) throws IOException {
        if (raw == null) {
            return Map.of();
        }
        if (raw.isReadable() && isStructure(raw.getByte(raw.readerIndex()))) {
            try (JsonInput in = Json.DEFAULT.read(raw)) {
                JsonParser p = in.parser();
                if (p.nextToken() == null) {
                    throw new IOException("no JSON value");
                }
                return JsonTree.read(p);
            }
        }
        try (JsonParser p = Json.DEFAULT.parser(raw)) {
            return JsonTree.read(p);
        }
    }

    private static boolean isStructure(byte first) {
        return first == '{' || first == '[';
    }

    /** The object at {@code raw}, or null when it is not an object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(ByteBuf raw) throws IOException {
        Object tree = read(raw);
        return tree instanceof Map ? (Map<String, Object>) tree : null;
    }

    /**
     * The {@code error.data} of the response to {@code id} in {@code frame}, or null. The envelope
     * decoder keeps only an error's code and message, so the frame is read again; errors are rare
     * enough for that not to matter.
     */
    static Object errorData(ByteBuf frame, RequestId id) {
        Object tree;
        try {
            tree = read(frame);
        } catch (IOException e) {
            return null;
        }
        if (tree instanceof List) {
            for (Object item : (List<?>) tree) {
                if (item instanceof Map && sameId(((Map<?, ?>) item).get("id"), id)) {
                    return dataOf(item);
                }
            }
            return null;
        }
        return dataOf(tree);
    }

    private static Object dataOf(Object response) {
        Object error = response instanceof Map ? ((Map<?, ?>) response).get("error") : null;
        return error instanceof Map ? ((Map<?, ?>) error).get("data") : null;
    }

    private static boolean sameId(Object treeId, RequestId id) {
        if (treeId instanceof String) {
            return !id.isNumber() && id.text().equals(treeId);
        }
        return treeId instanceof Number && id.isNumber() && id.text().equals(treeId.toString());
    }

    /** {@code tree} when it is an object, else an empty map. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> objectOrEmpty(Object tree) {
        return tree instanceof Map ? (Map<String, Object>) tree : Map.of();
    }

    /** {@code tree} when it is a string, else null. */
    static String string(Object tree) {
        return tree instanceof String ? (String) tree : null;
    }

    /** The objects of {@code tree} when it is an array, else an empty list. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> objects(Object tree) {
        if (!(tree instanceof List)) {
            return List.of();
        }
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (Object item : (List<?>) tree) {
            if (item instanceof Map) {
                out.add((Map<String, Object>) item);
            }
        }
        return out;
    }

    /** The value of an id this client issued; -1 for any other id. */
    static long clientId(RequestId id) {
        return id == null ? -1 : id.longValue(-1);
    }
}
