package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain Java values as a JSON tree: {@code Map<String, Object>} (insertion-ordered), {@code List},
 * {@code String}, {@code Long}/{@code BigInteger}, {@code Double}/{@code BigDecimal},
 * {@code Boolean} and {@code null}; {@link RawJson} writes pre-encoded JSON as it is.
 *
 * <p>This is the convenience model for tool authors, the client and tests. It walks the streaming
 * parser and generator by hand: no databind, no reflection.
 */
public final class JsonTree {

    private JsonTree() {
    }

    /** Reads the value at the parser's current token (advancing first if there is none). */
    public static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            t = p.nextToken();
            if (t == null) {
                throw new IOException("no JSON value");
            }
        }
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, read(p));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getNumberType() == JsonParser.NumberType.BIG_DECIMAL ? p.getDecimalValue() : (Object) p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected token " + t);
        }
    }

    /** Parses a whole JSON text. */
    public static Object parse(String json) throws IOException {
        try (JsonParser p = Json.DEFAULT.parser(json)) {
            Object value = read(p);
            if (p.nextToken() != null) {
                throw new IOException("unexpected data after the JSON value");
            }
            return value;
        }
    }

    /** Writes a tree value. */
    public static void write(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String) {
            g.writeString((String) value);
        } else if (value instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof Iterable) {
            g.writeStartArray();
            for (Object item : (Iterable<?>) value) {
                write(g, item);
            }
            g.writeEndArray();
        } else if (value instanceof Boolean) {
            g.writeBoolean((Boolean) value);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            g.writeNumber(((Number) value).longValue());
        } else if (value instanceof BigInteger) {
            g.writeNumber((BigInteger) value);
        } else if (value instanceof BigDecimal) {
            g.writeNumber((BigDecimal) value);
        } else if (value instanceof Number) {
            g.writeNumber(((Number) value).doubleValue());
        } else if (value instanceof RawJson) {
            ((RawJson) value).writeTo(g);
        } else if (value instanceof byte[]) {
            g.writeString(Base64.getEncoder().encodeToString((byte[]) value));
        } else if (value instanceof Object[]) {
            write(g, List.of((Object[]) value));
        } else {
            throw new IllegalArgumentException("not a JSON tree value: " + value.getClass().getName());
        }
    }

    /** Serializes a tree value to JSON text (for logs, tests and pre-encoded definitions). */
    public static String toJson(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.DEFAULT.factory().createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
