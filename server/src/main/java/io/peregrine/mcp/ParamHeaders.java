package io.peregrine.mcp;

import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;
import io.peregrine.transport.http.HeaderValues;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The tool parameters a 2026-07-28 client mirrors into {@code Mcp-Param-{Name}} HTTP headers, as
 * the {@code x-mcp-header} annotations of the tool's input schema declare them, and the check that
 * a request's headers match its arguments (so that an intermediary routing on a header and the
 * server acting on the body agree).
 *
 * <p>The annotations are checked when the tool is registered, as the transport rules ask: a token
 * name, unique ignoring case, on a string, integer or boolean property reached through
 * {@code properties} alone.
 */
final class ParamHeaders {

    private static final String KEY = "x-mcp-header";
    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private static final class Param {
        final List<String> path;
        final String header;
        final String type;

        Param(List<String> path, String header, String type) {
            this.path = path;
            this.header = header;
            this.type = type;
        }
    }

    private final List<Param> params;

    private ParamHeaders(List<Param> params) {
        this.params = params;
    }

    /** The annotations of {@code schema}, or null when it has none; throws when one breaks the rules. */
    static ParamHeaders of(String tool, Object schema) {
        List<Param> found = new ArrayList<>();
        collect(tool, schema, new ArrayList<>(), found);
        if (countAnnotations(schema) != found.size()) {
            throw new IllegalArgumentException("inputSchema of tool \"" + tool + "\" : " + KEY + " outside a chain of "
                    + "\"properties\" (expected: only on properties reached through properties alone, not through "
                    + "items, oneOf/anyOf/allOf/not, if/then/else or $ref)");
        }
        if (found.isEmpty()) {
            return null;
        }
        Set<String> seen = new HashSet<>();
        for (Param p : found) {
            if (!seen.add(p.header.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("inputSchema of tool \"" + tool + "\" : " + KEY + " \"" + p.header
                        + "\" appears twice (expected: unique, ignoring case)");
            }
        }
        return new ParamHeaders(found);
    }

    @SuppressWarnings("unchecked")
    private static void collect(String tool, Object schema, List<String> path, List<Param> out) {
        if (!(schema instanceof Map)) {
            return;
        }
        Object properties = ((Map<String, Object>) schema).get("properties");
        if (!(properties instanceof Map)) {
            return;
        }
        for (Map.Entry<String, Object> e : ((Map<String, Object>) properties).entrySet()) {
            if (!(e.getValue() instanceof Map)) {
                continue;
            }
            Map<String, Object> property = (Map<String, Object>) e.getValue();
            List<String> at = new ArrayList<>(path);
            at.add(e.getKey());
            Object header = property.get(KEY);
            if (header != null) {
                String where = "inputSchema of tool \"" + tool + "\" : " + KEY + " of " + String.join(".", at);
                if (!(header instanceof String) || !isToken((String) header)) {
                    throw new IllegalArgumentException(where + " is " + header + " (expected: an HTTP field-name token)");
                }
                Object type = property.get("type");
                if (!"string".equals(type) && !"integer".equals(type) && !"boolean".equals(type)) {
                    throw new IllegalArgumentException(where + " is on a property of type " + type
                            + " (expected: string, integer or boolean)");
                }
                out.add(new Param(List.copyOf(at), (String) header, (String) type));
            }
            collect(tool, property, at, out);
        }
    }

    @SuppressWarnings("unchecked")
    private static int countAnnotations(Object node) {
        int n = 0;
        if (node instanceof Map) {
            for (Map.Entry<String, Object> e : ((Map<String, Object>) node).entrySet()) {
                if (KEY.equals(e.getKey())) {
                    n++;
                }
                n += countAnnotations(e.getValue());
            }
        } else if (node instanceof List) {
            for (Object o : (List<Object>) node) {
                n += countAnnotations(o);
            }
        }
        return n;
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks the {@code Mcp-Param-*} headers of a request against its arguments.
     *
     * @param headers the request's header by name, null when absent
     */
    @SuppressWarnings("unchecked")
    void check(Map<String, Object> arguments, Function<String, String> headers) throws RpcException {
        for (Param p : params) {
            Object value = arguments;
            for (String step : p.path) {
                value = value instanceof Map ? ((Map<String, Object>) value).get(step) : null;
            }
            String name = "Mcp-Param-" + p.header;
            String raw = headers.apply(name);
            if (value == null) {
                if (raw != null) {
                    throw mismatch(name + " is present but arguments." + String.join(".", p.path) + " is not");
                }
                continue;
            }
            if (raw == null) {
                throw mismatch(name + " is required: arguments." + String.join(".", p.path) + " is set");
            }
            String header = decode(name, raw);
            if (!matches(value, header)) {
                throw mismatch(name + " header value '" + header + "' does not match body value '" + value + "'");
            }
        }
    }

    private static String decode(String name, String raw) throws RpcException {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (!(c == '\t' || (c >= 0x20 && c <= 0x7E))) {
                throw mismatch(name + " contains a character outside visible ASCII, space and tab");
            }
        }
        String decoded = HeaderValues.decode(raw);
        if (decoded == null) {
            throw mismatch(name + " is not valid base64 inside =?base64?...?=");
        }
        return decoded;
    }

    private static boolean matches(Object value, String header) {
        if (value instanceof String) {
            return value.equals(header);
        }
        if (value instanceof Boolean) {
            return value.toString().equals(header);
        }
        if (value instanceof Number) {
            try {
                double h = Double.parseDouble(header);
                double v = ((Number) value).doubleValue();
                return h == v && Math.abs(v) <= MAX_SAFE_INTEGER;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    private static RpcException mismatch(String detail) {
        return new RpcException(JsonRpcError.HEADER_MISMATCH, "Header mismatch: " + detail);
    }
}
