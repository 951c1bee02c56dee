package io.peregrine.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON values passed on as they are, held as text or as UTF-8 bytes. */
class RawJsonTest {

    private static String written(Object tree) throws Exception {
        ByteBuf out = Unpooled.buffer();
        try {
            try (JsonOutput o = Json.DEFAULT.write(out)) {
                JsonTree.write(o.generator(), tree);
            }
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    @Test
    void bytesAreWrittenAsTheyAreWhereverTheValueStands() throws Exception {
        byte[] around = "xx{\"a\":[1,\"é\"]}yy".getBytes(StandardCharsets.UTF_8);
        RawJson raw = RawJson.ofParsedUtf8(around, 2, around.length - 4);
        assertEquals("{\"a\":[1,\"é\"]}", raw.json());
        Map<String, Object> tree = new java.util.LinkedHashMap<>();
        tree.put("x", raw);
        tree.put("y", List.of(raw, true));
        assertEquals("{\"x\":{\"a\":[1,\"é\"]},\"y\":[{\"a\":[1,\"é\"]},true]}", written(tree));
        // A generator writing characters gets the text.
        assertEquals("[{\"a\":[1,\"é\"]}]", JsonTree.toJson(List.of(raw)));
    }

    @Test
    void aValueLongerThanTheGeneratorsBufferIsWrittenWhole() throws Exception {
        String big = "\"" + "z".repeat(20_000) + "\"";
        RawJson raw = RawJson.ofParsedUtf8(big.getBytes(StandardCharsets.UTF_8));
        assertEquals("[" + big + "," + big + "]", written(List.of(raw, raw)));
    }

    @Test
    void lineBreaksInBytesAreReEncodedAway() throws Exception {
        RawJson raw = RawJson.ofParsedUtf8("{\n\"a\" :\r\n 1}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"a\":1}", raw.json());
        assertEquals("{\"a\":1}", written(raw));
    }

    @Test
    void onlyWellFormedUtf8GoesOutAsItCame() {
        assertTrue(RawJson.oneLineUtf8(utf8("\"é € 😀 ascii\""), 0, utf8("\"é € 😀 ascii\"").length));
        for (int[] bad : new int[][] {{0x80}, {0xC0, 0xAF}, {0xC1, 0xBF}, {0xED, 0xA0, 0x80}, {0xE2, 0x82},
                {0xE0, 0x80, 0xAF}, {0xF0, 0x80, 0x80, 0xAF}, {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80},
                {0xFF}, {0xC3, 0x41}}) {
            byte[] value = new byte[bad.length + 2];
            value[0] = '"';
            for (int i = 0; i < bad.length; i++) {
                value[i + 1] = (byte) bad[i];
            }
            value[value.length - 1] = '"';
            assertFalse(RawJson.oneLineUtf8(value, 0, value.length), java.util.Arrays.toString(bad));
            RawJson raw = RawJson.ofParsedUtf8(value);
            assertTrue(raw.json().contains("\uFFFD"), raw.json());
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void textStaysText() throws Exception {
        assertEquals("[1,{\"b\":2}]", written(List.of(RawJson.ofParsed("1"), RawJson.of("{ \"b\" : 2 }"))));
    }
}
