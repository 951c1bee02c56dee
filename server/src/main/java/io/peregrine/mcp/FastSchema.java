package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tool's input schema compiled for the JSON Schema subset that nearly every tool uses, checked
 * while the arguments stream through a parser: no tree, no strings, nothing allocated on the way.
 *
 * <p>It only ever answers "surely valid". Whenever it sees a violation, or anything it cannot
 * decide exactly as the full validator would (a float where an integer is asked for, a number
 * equal to a bound it cannot compare exactly, a big number), it answers false and the caller asks
 * the full validator, which decides and words the messages. So the fast path changes neither what
 * is accepted nor what a refused caller is told; {@code FastSchemaAgreementTest} checks it against
 * the full validator on generated schemas and documents.
 *
 * <p>The subset: {@code type} (a name or a list), {@code properties}, {@code required},
 * {@code additionalProperties} (boolean or a schema), {@code enum} and {@code const} of strings,
 * integers, booleans and null, {@code minLength}/{@code maxLength} (in code points),
 * {@code minimum}/{@code maximum}/{@code exclusiveMinimum}/{@code exclusiveMaximum},
 * {@code items} (one schema), {@code minItems}/{@code maxItems}, boolean schemas, and the
 * annotations that assert nothing. A schema using anything else compiles to null and is left to
 * the full validator whole.
 *
 * <p>Over 400 lines: the compiler of the subset and its checker belong together, since what one
 * accepts the other must decide exactly.
 */
final class FastSchema {

    private static final int STRING = 1;
    private static final int NUMBER = 2;
    private static final int INTEGER = 4;
    private static final int BOOLEAN = 8;
    private static final int OBJECT = 16;
    private static final int ARRAY = 32;
    private static final int NULL = 64;

    private static final String DIALECT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples",
            "$comment", "deprecated", "readOnly", "writeOnly", "x-mcp-header");

    /** Largest magnitude at which every long is a double exactly. */
    private static final long EXACT_LONG = 1L << 53;

    private final Node root;

    private FastSchema(Node root) {
        this.root = root;
    }

    /**
     * Compiles {@code schema} (a tree as {@code JsonTree} reads it: maps, lists, strings, numbers,
     * booleans, null), or returns null when it uses anything outside the subset.
     */
    static FastSchema compile(Object schema) {
        try {
            return new FastSchema(node(schema, true));
        } catch (Unsupported e) {
            return null;
        }
    }

    /** Whether {@code {}} (absent arguments) surely satisfies the schema. */
    boolean acceptsEmptyObject() {
        Node n = root;
        if (n.never) {
            return false;
        }
        if (n.types != 0 && (n.types & OBJECT) == 0) {
            return false;
        }
        return !n.hasEnum && n.requiredMask == 0 && n.minProperties <= 0;
    }

    /**
     * Whether the value at {@code p} surely satisfies the schema. {@code p} is positioned before
     * the value's first token; on true it is left just past the value, on false anywhere in it.
     */
    boolean accepts(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        return t != null && t != JsonToken.NOT_AVAILABLE && check(root, p, t);
    }

    /**
     * Whether the object whose START_OBJECT a non-blocking parser just returned surely satisfies
     * the schema, telling {@code top} each of its top-level members as it passes (the tool's
     * arguments: see {@link TopStrings}); on true the parser is left on the object's END_OBJECT,
     * on false anywhere in it.
     */
    boolean acceptsObjectFrom(JsonParser p, TopStrings top) throws IOException {
        return !root.never && takesObject(root) && object(root, p, top);
    }

    /** Whether an object may satisfy {@code n} as far as its type and enum say. */
    private static boolean takesObject(Node n) {
        return (n.types == 0 || (n.types & OBJECT) != 0) && !n.hasEnum;
    }

    private static boolean check(Node n, JsonParser p, JsonToken t) throws IOException {
        if (n.never) {
            return false;
        }
        switch (t) {
            case START_OBJECT:
                return takesObject(n) && object(n, p);
            case START_ARRAY:
                return (n.types == 0 || (n.types & ARRAY) != 0) && !n.hasEnum && array(n, p);
            case VALUE_STRING:
                return (n.types == 0 || (n.types & STRING) != 0) && string(n, p);
            case VALUE_NUMBER_INT:
                return (n.types == 0 || (n.types & (NUMBER | INTEGER)) != 0) && integer(n, p);
            case VALUE_NUMBER_FLOAT:
                // 1.0 is an integer to JSON Schema; leave such cases to the full validator.
                return (n.types == 0 || (n.types & NUMBER) != 0) && !n.hasEnum && decimal(n, p);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return (n.types == 0 || (n.types & BOOLEAN) != 0)
                        && (!n.hasEnum || (t == JsonToken.VALUE_TRUE ? n.enumTrue : n.enumFalse));
            case VALUE_NULL:
                return (n.types == 0 || (n.types & NULL) != 0) && (!n.hasEnum || n.enumNull);
            default:
                return false;
        }
    }

    private static boolean object(Node n, JsonParser p) throws IOException {
        return object(n, p, null);
    }

    private static boolean object(Node n, JsonParser p, TopStrings top) throws IOException {
        long seen = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            Property prop = n.properties == null ? null : n.properties.get(name);
            JsonToken value = p.nextToken();
            if (top != null) {
                top.member(name, value == JsonToken.VALUE_STRING ? TopStrings.text(p) : null);
            }
            Node schema;
            if (prop != null) {
                seen |= prop.bit;
                schema = prop.schema;
            } else {
                schema = n.additional;
            }
            if (schema == null || schema.any) {
                p.skipChildren();
            } else if (!check(schema, p, value)) {
                return false;
            }
        }
        return t == JsonToken.END_OBJECT && (seen & n.requiredMask) == n.requiredMask;
    }

    private static boolean array(Node n, JsonParser p) throws IOException {
        int count = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null || t == JsonToken.NOT_AVAILABLE) {
                return false;
            }
            count++;
            if (n.items == null || n.items.any) {
                p.skipChildren();
            } else if (!check(n.items, p, t)) {
                return false;
            }
        }
        return count >= n.minItems && (n.maxItems < 0 || count <= n.maxItems);
    }

    private static boolean string(Node n, JsonParser p) throws IOException {
        if (n.minLength <= 0 && n.maxLength < 0 && !n.hasEnum) {
            return true;
        }
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        int length = p.getTextLength();
        if (n.minLength > 0 || n.maxLength >= 0) {
            // JSON Schema counts code points; a surrogate pair is one.
            int codePoints = length > n.maxLength * 2 + 1 && n.maxLength >= 0 ? Integer.MAX_VALUE
                    : Character.codePointCount(chars, offset, length);
            if (codePoints < n.minLength || (n.maxLength >= 0 && codePoints > n.maxLength)) {
                return false;
            }
        }
        if (!n.hasEnum) {
            return true;
        }
        for (String s : n.enumStrings) {
            if (sameChars(s, chars, offset, length)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameChars(String s, char[] chars, int offset, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean integer(Node n, JsonParser p) throws IOException {
        JsonParser.NumberType type = p.getNumberType();
        if (type == JsonParser.NumberType.BIG_INTEGER) {
            return false;
        }
        long v = p.getLongValue();
        if (n.hasEnum && !contains(n.enumLongs, v)) {
            return false;
        }
        if (!n.hasBounds) {
            return true;
        }
        if (v >= EXACT_LONG || v <= -EXACT_LONG) {
            return false;
        }
        // v is a double exactly; so is every bound when boundsExact, and equality is then exact too.
        return withinBounds(n, v, n.boundsExact);
    }

    private static boolean contains(long[] values, long v) {
        for (long x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static boolean decimal(Node n, JsonParser p) throws IOException {
        if (!n.hasBounds) {
            return true;
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_DECIMAL) {
            return false;
        }
        double d = p.getDoubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return false;
        }
        // Input and bounds are each the double nearest their decimal text, and rounding keeps
        // order: a strict comparison of the doubles holds for the texts; equality proves nothing.
        return withinBounds(n, d, false);
    }

    private static boolean withinBounds(Node n, double d, boolean exact) {
        if (!exact && (d == n.minimum || d == n.maximum || d == n.exclusiveMinimum || d == n.exclusiveMaximum)) {
            return false;
        }
        return !(d < n.minimum) && !(d > n.maximum) && !(d <= n.exclusiveMinimum) && !(d >= n.exclusiveMaximum);
    }

    // ------------------------------------------------------------------ compiling

    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private static final class Property {
        final Node schema;
        final long bit;

        Property(Node schema, long bit) {
            this.schema = schema;
            this.bit = bit;
        }
    }

    private static final class Node {
        boolean any;
        boolean never;
        int types;
        Map<String, Property> properties;
        long requiredMask;
        Node additional;
        boolean hasEnum;
        boolean enumNull;
        boolean enumTrue;
        boolean enumFalse;
        long[] enumLongs = new long[0];
        String[] enumStrings = new String[0];
        boolean boundsExact = true;
        int minLength = -1;
        int maxLength = -1;
        boolean hasBounds;
        double minimum = Double.NaN;
        double maximum = Double.NaN;
        double exclusiveMinimum = Double.NaN;
        double exclusiveMaximum = Double.NaN;
        Node items;
        int minItems;
        int maxItems = -1;
        int minProperties;
    }

    private static Node node(Object schema, boolean root) throws Unsupported {
        Node n = new Node();
        if (schema instanceof Boolean) {
            n.any = (Boolean) schema;
            n.never = !n.any;
            return n;
        }
        if (!(schema instanceof Map)) {
            throw new Unsupported();
        }
        Map<?, ?> map = (Map<?, ?>) schema;
        Object required = null;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = (String) e.getKey();
            Object value = e.getValue();
            switch (key) {
                case "type":
                    n.types = types(value);
                    break;
                case "properties":
                    if (!(value instanceof Map)) {
                        throw new Unsupported();
                    }
                    n.properties = new HashMap<>();
                    for (Map.Entry<?, ?> prop : ((Map<?, ?>) value).entrySet()) {
                        n.properties.put((String) prop.getKey(), new Property(node(prop.getValue(), false), 0));
                    }
                    break;
                case "required":
                    required = value;
                    break;
                case "additionalProperties":
                    n.additional = node(value, false);
                    break;
                case "enum":
                    if (!(value instanceof List) || ((List<?>) value).isEmpty()) {
                        throw new Unsupported();
                    }
                    enumValues(n, (List<?>) value);
                    break;
                case "const":
                    enumValues(n, java.util.Collections.singletonList(value));
                    break;
                case "minLength":
                    n.minLength = count(value);
                    break;
                case "maxLength":
                    n.maxLength = count(value);
                    break;
                case "minItems":
                    n.minItems = count(value);
                    break;
                case "maxItems":
                    n.maxItems = count(value);
                    break;
                case "minimum":
                    n.minimum = bound(n, value);
                    n.hasBounds = true;
                    break;
                case "maximum":
                    n.maximum = bound(n, value);
                    n.hasBounds = true;
                    break;
                case "exclusiveMinimum":
                    n.exclusiveMinimum = bound(n, value);
                    n.hasBounds = true;
                    break;
                case "exclusiveMaximum":
                    n.exclusiveMaximum = bound(n, value);
                    n.hasBounds = true;
                    break;
                case "items":
                    n.items = node(value, false);
                    break;
                case "$schema":
                    if (!root || !DIALECT_2020_12.equals(value)) {
                        throw new Unsupported();
                    }
                    break;
                default:
                    if (!ANNOTATIONS.contains(key)) {
                        throw new Unsupported();
                    }
            }
        }
        if (required != null) {
            required(n, required);
        }
        n.any = map.keySet().stream().allMatch(k -> ANNOTATIONS.contains(k) || "$schema".equals(k));
        return n;
    }

    private static void required(Node n, Object value) throws Unsupported {
        if (!(value instanceof List) || ((List<?>) value).size() > 63) {
            throw new Unsupported();
        }
        if (n.properties == null) {
            n.properties = new HashMap<>();
        }
        long bit = 1;
        for (Object name : (List<?>) value) {
            if (!(name instanceof String)) {
                throw new Unsupported();
            }
            Property prop = n.properties.get(name);
            if (prop != null && prop.bit != 0) {
                continue;
            }
            Node schema = prop != null ? prop.schema : n.additional;
            n.properties.put((String) name, new Property(schema, bit));
            n.requiredMask |= bit;
            bit <<= 1;
        }
    }

    private static int types(Object value) throws Unsupported {
        if (value instanceof String) {
            return type((String) value);
        }
        if (value instanceof List && !((List<?>) value).isEmpty()) {
            int types = 0;
            for (Object t : (List<?>) value) {
                if (!(t instanceof String)) {
                    throw new Unsupported();
                }
                types |= type((String) t);
            }
            return types;
        }
        throw new Unsupported();
    }

    private static int type(String name) throws Unsupported {
        switch (name) {
            case "string":
                return STRING;
            case "number":
                return NUMBER;
            case "integer":
                return INTEGER;
            case "boolean":
                return BOOLEAN;
            case "object":
                return OBJECT;
            case "array":
                return ARRAY;
            case "null":
                return NULL;
            default:
                throw new Unsupported();
        }
    }

    private static void enumValues(Node n, List<?> values) throws Unsupported {
        boolean isNull = false;
        boolean isTrue = false;
        boolean isFalse = false;
        List<Long> longs = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        for (Object v : values) {
            if (v == null) {
                isNull = true;
            } else if (v instanceof String) {
                strings.add((String) v);
            } else if (Boolean.TRUE.equals(v)) {
                isTrue = true;
            } else if (Boolean.FALSE.equals(v)) {
                isFalse = true;
            } else if (v instanceof Long || v instanceof Integer) {
                longs.add(((Number) v).longValue());
            } else {
                // Decimals, big numbers, objects and arrays: equality is the full validator's.
                throw new Unsupported();
            }
        }
        if (n.hasEnum) {
            // Both enum and const: what both allow.
            isNull &= n.enumNull;
            isTrue &= n.enumTrue;
            isFalse &= n.enumFalse;
            List<Long> before = new ArrayList<>();
            for (long l : n.enumLongs) {
                before.add(l);
            }
            longs.retainAll(before);
            strings.retainAll(Arrays.asList(n.enumStrings));
        }
        n.hasEnum = true;
        n.enumNull = isNull;
        n.enumTrue = isTrue;
        n.enumFalse = isFalse;
        n.enumLongs = longs.stream().mapToLong(Long::longValue).toArray();
        n.enumStrings = strings.toArray(new String[0]);
    }

    private static int count(Object value) throws Unsupported {
        if (value instanceof Long && (Long) value >= 0 && (Long) value <= Integer.MAX_VALUE / 4) {
            return ((Long) value).intValue();
        }
        if (value instanceof Integer && (Integer) value >= 0 && (Integer) value <= Integer.MAX_VALUE / 4) {
            return (Integer) value;
        }
        throw new Unsupported();
    }

    /** A bound as the double nearest its text; notes in the node whether it is that number exactly. */
    private static double bound(Node n, Object value) throws Unsupported {
        if (value instanceof Long || value instanceof Integer) {
            long l = ((Number) value).longValue();
            if (l >= EXACT_LONG || l <= -EXACT_LONG) {
                n.boundsExact = false;
            }
            return l;
        }
        if (value instanceof Double && !((Double) value).isNaN() && !((Double) value).isInfinite()) {
            // The schema's text was read into the nearest double; whether that is the text's own
            // value is unknown, so equality with it decides nothing.
            n.boundsExact = false;
            return (Double) value;
        }
        throw new Unsupported();
    }
}
