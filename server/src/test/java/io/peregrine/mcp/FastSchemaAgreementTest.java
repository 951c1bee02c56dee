package io.peregrine.mcp;

import com.networknt.schema.Schema;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonInput;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RawJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming check of tool arguments ({@link FastSchema}) against the full validator, on
 * generated schemas of its subset and generated documents: whatever the fast path vouches for,
 * the full validator accepts (it may never let through what the full one refuses), and it vouches
 * for nearly everything the full validator accepts (else it would be no fast path at all).
 */
class FastSchemaAgreementTest {

    private static final SchemaValidator FULL = new SchemaValidator(Json.DEFAULT);
    private static final io.peregrine.rpc.KnownStrings VERSIONS = new io.peregrine.rpc.KnownStrings(ProtocolVersion.ids());
    private static final String[] NAMES = {"a", "b", "name", "io.modelcontextprotocol/longer-than-16", "x y"};
    private static final String[] READ_NAMES = {"a", "b", "name", "io.modelcontextprotocol/longer-than-16", "x y", "absent"};
    private static final String[] STRINGS = {"", "a", "ab", "abc", "héllo", "\uD83D\uDE00", "\uD83D\uDE00\uD83D\uDE00x",
            "a\\nb", "\\u00e9t\\u00e9", "quote\\\"d", "twelve chars", "abcdefghijklmnopqrstuvwxyz"};

    @Test
    void generatedSchemasAndDocumentsAgree() throws Exception {
        Random random = new Random(20261205L);
        int compiled = 0;
        int fullValid = 0;
        int vouched = 0;
        for (int i = 0; i < 4_000; i++) {
            String schemaJson = schema(random, 0);
            Schema full = FULL.compile("generated", RawJson.of(schemaJson));
            FastSchema fast = FastSchema.compile(JsonTree.parse(schemaJson));
            if (fast == null) {
                continue;
            }
            compiled++;
            for (int j = 0; j < 12; j++) {
                String doc = j == 0 ? "{}" : document(random, JsonTree.parse(schemaJson), 0, random.nextInt(4) != 0);
                if (!doc.startsWith("{")) {
                    // Tool arguments are an object.
                    doc = "{\"a\":" + doc + "}";
                }
                boolean fullSays = FULL.validate(full, buf(doc)).isEmpty();
                boolean fastSays = accepts(fast, doc);
                if (fastSays) {
                    assertThat(fullSays).as("fast path vouched for %s against %s, the full validator refuses it", doc, schemaJson)
                            .isTrue();
                    vouched++;
                }
                if (fullSays) {
                    fullValid++;
                }
                // What the caller sees is the same either way.
                assertThat(FULL.validate(fast, full, buf(doc)).isEmpty()).as("%s against %s", doc, schemaJson).isEqualTo(fullSays);
                // Checked while the params are read: the same verdict, and the params around the arguments read whole.
                Params params = readParams("{\"name\":\"t\",\"arguments\":" + doc + ",\"after\":\"kept\"}", fast);
                assertThat(params.vouchedBy() == fast).as("in the params pass: %s against %s", doc, schemaJson).isEqualTo(fastSays);
                assertThat(params.object("tools/call", "arguments").toString(StandardCharsets.UTF_8)).isEqualTo(doc);
                assertThat(params.stringOrNull("after")).as("the member after %s", doc).isEqualTo("kept");
                if (params.vouchedBy() == fast) {
                    // A tool reading its strings from what validation read sees what reading the arguments shows.
                    ByteBuf raw = params.object("tools/call", "arguments");
                    ByteBufToolArguments seen = new ByteBufToolArguments(Json.DEFAULT, raw, params.argumentStrings());
                    ByteBufToolArguments read = new ByteBufToolArguments(Json.DEFAULT, raw);
                    for (String name : READ_NAMES) {
                        assertThat(outcome(seen, name)).as("string(%s) of %s", name, doc).isEqualTo(outcome(read, name));
                    }
                }
            }
        }
        assertThat(compiled).as("generated schemas within the subset").isGreaterThan(2_000);
        assertThat(fullValid).as("valid documents generated").isGreaterThan(5_000);
        assertThat((double) vouched / fullValid).as("share of valid documents the fast path vouches for").isGreaterThan(0.9);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // schema | document | the fast path vouches
            "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"maxLength\":2}}} | {\"s\":\"\\uD83D\\uDE00\\uD83D\\uDE00\"} | true",
            "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"maxLength\":1}}} | {\"s\":\"\\uD83D\\uDE00\\uD83D\\uDE00\"} | false",
            "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}} | {\"n\":1.0} | false",
            "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":0}}} | {\"n\":0} | true",
            "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"maximum\":0.1}}} | {\"n\":0.1} | false",
            "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"maximum\":0.1}}} | {\"n\":0.05} | true",
            "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}} | {\"n\":123456789012345678901234567890} | false",
            "{\"type\":\"object\",\"required\":[\"a\"],\"additionalProperties\":false} | {\"a\":1} | false",
            "{\"type\":\"object\",\"required\":[\"a\"]} | {\"b\":1} | false",
            "{\"type\":\"object\",\"required\":[\"a\"]} | {\"a\":[1,{\"x\":null}]} | true",
            "{\"type\":\"object\",\"properties\":{\"e\":{\"enum\":[\"x\",1,null,true]}}} | {\"e\":null} | true",
            "{\"type\":\"object\",\"properties\":{\"e\":{\"enum\":[\"x\",1,null,true],\"const\":1}}} | {\"e\":\"x\"} | false",
            "{\"type\":\"object\",\"properties\":{\"e\":{\"const\":\"\\u00e9\"}}} | {\"e\":\"\\u00e9\"} | true",
            "{\"type\":\"object\",\"properties\":{\"l\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":2}}} | {\"l\":[\"a\",\"b\"]} | true",
            "{\"type\":\"object\",\"properties\":{\"l\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":2}}} | {\"l\":[\"a\",\"b\",\"c\"]} | false",
            "{\"type\":\"object\",\"properties\":{\"f\":false}} | {\"f\":1} | false",
            "{\"type\":\"object\",\"properties\":{\"f\":false}} | {\"g\":1} | true",
    })
    void edges(String schema, String document, boolean vouches) throws IOException {
        FastSchema fast = FastSchema.compile(JsonTree.parse(schema));
        assertThat(fast).isNotNull();
        assertThat(accepts(fast, document)).isEqualTo(vouches);
        if (vouches) {
            assertThat(FULL.validate(FULL.compile("edge", RawJson.of(schema)), buf(document))).isEmpty();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"type\":\"string\",\"pattern\":\"^a\"}",
            "{\"type\":\"string\",\"format\":\"email\"}",
            "{\"type\":\"number\",\"multipleOf\":2}",
            "{\"$ref\":\"#/$defs/x\",\"$defs\":{\"x\":{}}}",
            "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\"}",
            "{\"anyOf\":[{\"type\":\"string\"}]}",
            "{\"type\":\"array\",\"items\":[{\"type\":\"string\"}]}",
            "{\"enum\":[1.5]}",
            "{\"enum\":[{\"a\":1}]}",
    })
    void schemasOutsideTheSubsetAreLeftToTheFullValidator(String schema) throws IOException {
        assertThat(FastSchema.compile(JsonTree.parse(schema))).isNull();
    }

    @Test
    void absentArgumentsAreTheEmptyObject() throws IOException {
        assertThat(FastSchema.compile(JsonTree.parse("{\"type\":\"object\"}")).acceptsEmptyObject()).isTrue();
        assertThat(FastSchema.compile(JsonTree.parse("{\"type\":\"object\",\"required\":[\"a\"]}")).acceptsEmptyObject()).isFalse();
        assertThat(FastSchema.compile(JsonTree.parse("{\"type\":\"string\"}")).acceptsEmptyObject()).isFalse();
    }

    /** The value {@code string(name, "(default)")} gives, or the message of what it throws. */
    private static String outcome(ByteBufToolArguments arguments, String name) {
        try {
            return arguments.string(name, "(default)");
        } catch (io.peregrine.tool.InvalidArgumentsException e) {
            return "refused: " + e.getMessage();
        }
    }

    /** {@code json} read as a request's params, the arguments of a tool named {@code t} checked against {@code fast}. */
    private static Params readParams(String json, FastSchema fast) throws IOException {
        ByteBuf frame = buf(json);
        try (JsonInput in = Json.DEFAULT.read(frame)) {
            in.parser().nextToken();
            return Params.read(in, frame, VERSIONS, name -> name.equals("t") ? fast : null);
        }
    }

    @Test
    void argumentsAreCheckedInTheParamsPassOnlyAfterTheirToolsName() throws Exception {
        FastSchema fast = FastSchema.compile(JsonTree.parse(
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":[\"a\"]}"));
        assertThat(readParams("{\"name\":\"t\",\"arguments\":{\"a\":1}}", fast).vouchedBy()).isSameAs(fast);
        // The name after the arguments: not checked here, so validation reads them later.
        assertThat(readParams("{\"arguments\":{\"a\":1},\"name\":\"t\"}", fast).vouchedBy()).isNull();
        assertThat(readParams("{\"name\":\"other\",\"arguments\":{\"a\":1}}", fast).vouchedBy()).isNull();
        // Refused deep inside, then the rest of the params still read.
        Params deep = readParams("{\"name\":\"t\",\"arguments\":{\"a\":\"x\",\"b\":{\"c\":[1,{\"d\":2}]}},"
                + "\"_meta\":{\"progressToken\":\"p\"}}", fast);
        assertThat(deep.vouchedBy()).isNull();
        assertThat(deep.object("tools/call", "arguments").toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":\"x\",\"b\":{\"c\":[1,{\"d\":2}]}}");
        assertThat(deep.hasMeta()).isTrue();
    }

    private static boolean accepts(FastSchema fast, String doc) throws IOException {
        try (JsonInput in = Json.DEFAULT.read(buf(doc))) {
            return fast.accepts(in.parser());
        }
    }

    private static ByteBuf buf(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ schemas

    private static String schema(Random r, int depth) {
        if (depth > 0 && r.nextInt(20) == 0) {
            return r.nextBoolean() ? "true" : "false";
        }
        List<String> kw = new ArrayList<>();
        int kind = depth == 0 ? 0 : r.nextInt(7);
        switch (kind) {
            case 0:
                if (depth == 0 || r.nextBoolean()) {
                    kw.add("\"type\":\"object\"");
                }
                int n = r.nextInt(4);
                List<String> props = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    props.add(quote(NAMES[r.nextInt(NAMES.length)]) + ":" + schema(r, depth + 1));
                }
                if (!props.isEmpty()) {
                    kw.add("\"properties\":{" + String.join(",", dedupe(props)) + "}");
                }
                if (r.nextBoolean()) {
                    List<String> req = new ArrayList<>();
                    for (int i = r.nextInt(3); i > 0; i--) {
                        req.add(quote(NAMES[r.nextInt(NAMES.length)]));
                    }
                    kw.add("\"required\":[" + String.join(",", req) + "]");
                }
                int add = r.nextInt(5);
                if (add == 1) {
                    kw.add("\"additionalProperties\":false");
                } else if (add == 2) {
                    kw.add("\"additionalProperties\":true");
                } else if (add == 3 && depth < 2) {
                    kw.add("\"additionalProperties\":" + schema(r, depth + 1));
                }
                break;
            case 1:
                if (r.nextInt(4) != 0) {
                    kw.add(r.nextInt(5) == 0 ? "\"type\":[\"string\",\"null\"]" : "\"type\":\"string\"");
                }
                if (r.nextBoolean()) {
                    kw.add("\"minLength\":" + r.nextInt(4));
                }
                if (r.nextBoolean()) {
                    kw.add("\"maxLength\":" + r.nextInt(6));
                }
                if (r.nextInt(4) == 0) {
                    kw.add("\"enum\":[" + quote(STRINGS[r.nextInt(STRINGS.length)]) + "," + quote(STRINGS[r.nextInt(STRINGS.length)])
                            + (r.nextBoolean() ? ",null" : "") + "]");
                }
                break;
            case 2:
            case 3:
                kw.add(kind == 2 ? "\"type\":\"integer\"" : "\"type\":\"number\"");
                String[] bounds = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"};
                for (String b : bounds) {
                    if (r.nextInt(3) == 0) {
                        kw.add(quote(b) + ":" + boundValue(r));
                    }
                }
                if (kind == 2 && r.nextInt(5) == 0) {
                    kw.add("\"enum\":[" + (r.nextInt(7) - 3) + "," + (r.nextInt(7) - 3) + "]");
                }
                break;
            case 4:
                if (r.nextBoolean()) {
                    kw.add("\"type\":\"array\"");
                }
                if (depth < 3 && r.nextInt(4) != 0) {
                    kw.add("\"items\":" + schema(r, depth + 1));
                }
                if (r.nextBoolean()) {
                    kw.add("\"minItems\":" + r.nextInt(3));
                }
                if (r.nextBoolean()) {
                    kw.add("\"maxItems\":" + r.nextInt(4));
                }
                break;
            case 5:
                String[] scalar = {"\"type\":\"boolean\"", "\"type\":\"null\"", "\"const\":true", "\"const\":null",
                        "\"enum\":[true,\"true\",1]", "\"type\":[\"boolean\",\"integer\"]"};
                kw.add(scalar[r.nextInt(scalar.length)]);
                break;
            default:
                // Annotations only, or an empty schema.
                break;
        }
        if (r.nextInt(4) == 0) {
            kw.add("\"description\":\"d\"");
        }
        if (r.nextInt(10) == 0) {
            String[] outside = {"\"pattern\":\"^a\"", "\"format\":\"email\"", "\"multipleOf\":2", "\"minProperties\":1"};
            kw.add(outside[r.nextInt(outside.length)]);
        }
        return "{" + String.join(",", kw) + "}";
    }

    private static List<String> dedupe(List<String> props) {
        List<String> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String p : props) {
            String name = p.substring(0, p.indexOf("\":") + 1);
            if (!seen.contains(name)) {
                seen.add(name);
                out.add(p);
            }
        }
        return out;
    }

    private static String boundValue(Random r) {
        switch (r.nextInt(4)) {
            case 0:
                return Integer.toString(r.nextInt(11) - 5);
            case 1:
                return (r.nextInt(11) - 5) + ".5";
            case 2:
                return "0.1";
            default:
                return Integer.toString(r.nextInt(3));
        }
    }

    // ------------------------------------------------------------------ documents

    /** A document for {@code schema}: one that follows it when {@code follow}, else anything. */
    @SuppressWarnings("unchecked")
    private static String document(Random r, Object schema, int depth, boolean follow) {
        if (!follow || !(schema instanceof java.util.Map) || depth > 4) {
            return anything(r, depth);
        }
        java.util.Map<String, Object> s = (java.util.Map<String, Object>) schema;
        Object type = s.get("type");
        if (s.containsKey("enum") && r.nextInt(3) != 0) {
            List<Object> values = (List<Object>) s.get("enum");
            return literal(values.get(r.nextInt(values.size())));
        }
        if (s.containsKey("const") && r.nextInt(3) != 0) {
            return literal(s.get("const"));
        }
        String t = type instanceof String ? (String) type : type instanceof List ? (String) ((List<Object>) type).get(0) : guess(s);
        switch (t) {
            case "object": {
                List<String> members = new ArrayList<>();
                java.util.Map<String, Object> props = (java.util.Map<String, Object>) s.getOrDefault("properties", java.util.Map.of());
                List<String> names = new ArrayList<>(props.keySet());
                if (s.get("required") instanceof List) {
                    for (Object n : (List<Object>) s.get("required")) {
                        if (!names.contains(n)) {
                            names.add((String) n);
                        }
                    }
                }
                for (String n : names) {
                    if (r.nextInt(5) != 0) {
                        Object sub = props.containsKey(n) ? props.get(n) : s.get("additionalProperties");
                        members.add(quote(n) + ":" + document(r, sub, depth + 1, r.nextInt(8) != 0));
                    }
                }
                if (r.nextInt(4) == 0) {
                    members.add("\"extra\":" + document(r, s.get("additionalProperties"), depth + 1, true));
                }
                return "{" + String.join(",", members) + "}";
            }
            case "array": {
                int n = r.nextInt(4);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(document(r, s.get("items"), depth + 1, r.nextInt(8) != 0));
                }
                return "[" + String.join(",", items) + "]";
            }
            case "string":
                return quote(STRINGS[r.nextInt(STRINGS.length)]);
            case "integer":
                return r.nextInt(10) == 0 ? "1.0" : Integer.toString(r.nextInt(13) - 6);
            case "number":
                return r.nextBoolean() ? Integer.toString(r.nextInt(13) - 6) : (r.nextInt(13) - 6) + "." + r.nextInt(10);
            case "boolean":
                return Boolean.toString(r.nextBoolean());
            case "null":
                return "null";
            default:
                return anything(r, depth);
        }
    }

    private static String guess(java.util.Map<String, Object> s) {
        if (s.containsKey("properties") || s.containsKey("required")) {
            return "object";
        }
        if (s.containsKey("items") || s.containsKey("minItems") || s.containsKey("maxItems")) {
            return "array";
        }
        if (s.containsKey("minLength") || s.containsKey("maxLength")) {
            return "string";
        }
        return "any";
    }

    private static String anything(Random r, int depth) {
        switch (r.nextInt(depth > 2 ? 7 : 9)) {
            case 0:
                return quote(STRINGS[r.nextInt(STRINGS.length)]);
            case 1:
                return Integer.toString(r.nextInt(21) - 10);
            case 2:
                return (r.nextInt(5) - 2) + "." + r.nextInt(10);
            case 3:
                return "true";
            case 4:
                return "null";
            case 5:
                return "123456789012345678901234567890";
            case 6:
                return r.nextBoolean() ? "1e300" : "0.1";
            case 7:
                return "[" + anything(r, depth + 1) + "," + anything(r, depth + 1) + "]";
            default:
                return "{" + quote(NAMES[r.nextInt(NAMES.length)]) + ":" + anything(r, depth + 1) + "}";
        }
    }

    private static String literal(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            // The enum's string as read from the schema: write it back as JSON text.
            StringBuilder b = new StringBuilder("\"");
            for (char c : ((String) v).toCharArray()) {
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            return b.append('"').toString();
        }
        return v.toString();
    }

    /** Strings in STRINGS are JSON string contents already (escapes included). */
    private static String quote(String jsonContent) {
        return "\"" + jsonContent + "\"";
    }
}
