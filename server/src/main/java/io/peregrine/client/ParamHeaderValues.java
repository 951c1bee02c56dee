package io.peregrine.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code Mcp-Param-*} headers of a 2026-07-28 {@code tools/call} over Streamable HTTP: the
 * arguments the tool's {@code inputSchema} marks with {@code x-mcp-header}, found through chains of
 * {@code properties} alone, as strings (integers in decimal, booleans as {@code true}/{@code false});
 * a value absent from the arguments sends no header. The transport encodes values that are not
 * plain ASCII.
 */
final class ParamHeaderValues {

    private static final String KEY = "x-mcp-header";

    private ParamHeaderValues() {
    }

    /** Header name suffix to value; empty when the tool marks nothing or the arguments hold none of it. */
    static Map<String, String> of(ToolInfo tool, Map<String, ?> arguments) {
        if (tool == null || arguments == null || !tool.inputSchema().toString().contains(KEY)) {
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        collect(tool.inputSchema(), arguments, headers);
        return headers;
    }

    private static void collect(Map<String, Object> schema, Object value, Map<String, String> headers) {
        Map<String, Object> properties = Trees.objectOrEmpty(schema.get("properties"));
        if (!(value instanceof Map)) {
            return;
        }
        for (Map.Entry<String, Object> p : properties.entrySet()) {
            Map<String, Object> property = Trees.objectOrEmpty(p.getValue());
            Object v = ((Map<?, ?>) value).get(p.getKey());
            if (v == null) {
                continue;
            }
            Object header = property.get(KEY);
            if (header instanceof String) {
                String text = text(v);
                if (text != null) {
                    headers.put((String) header, text);
                }
            }
            collect(property, v, headers);
        }
    }

    private static String text(Object v) {
        if (v instanceof String || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString(((Number) v).longValue()) : null;
        }
        return null;
    }
}
