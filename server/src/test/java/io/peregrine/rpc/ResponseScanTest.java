package io.peregrine.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EnvelopeDecoder#scanResponse}: the scan that reads a plain successful response without
 * the parser, and {@link JsonScan}, which checks its result. Whatever the scan reads, the parser
 * reads the same; whatever the parser refuses, the scan leaves to it.
 */
class ResponseScanTest {

    private final Json json = new Json(8, 64);
    private final EnvelopeDecoder decoder = new EnvelopeDecoder(json, new KnownStrings(List.of("ping")));
    private final JsonScan scan = new JsonScan(8, 64);

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":[]}",
        "{\"jsonrpc\":\"2.0\",\"id\":123456789012345678,\"result\":{\"a\":1}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"r-1 x\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}",
        " \t\r\n{ \"result\" : { \"a\" : [ 1 , -2.5e-3 , 0.0 , 1E+9 , true , false , null ] } , \"id\" : 9 , \"jsonrpc\" : \"2.0\" } \n",
        "{\"id\":2,\"result\":{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"},\"jsonrpc\":\"2.0\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"s\":\"caf\u00e9 \u20ac \ud83d\ude00 \u0800 \uffff\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{}}}}}}}",
    })
    void readsWhatTheParserReads(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        ByteBuf frame = Unpooled.wrappedBuffer(bytes);
        EnvelopeDecoder.ScannedResponse scanned = decoder.scanResponse(bytes.clone());
        assertThat(scanned).as(message).isNotNull();
        RpcMessage parsed = (RpcMessage) decoder.decode(frame);
        assertThat(parsed.kind()).isEqualTo(RpcMessage.Kind.RESPONSE);
        assertThat(scanned.id()).isEqualTo(parsed.id());
        assertThat(ByteBufUtil.getBytes(scanned.result())).isEqualTo(ByteBufUtil.getBytes(parsed.result()));
        assertThat(java.util.Arrays.copyOfRange(scanned.bytes(), scanned.resultStart(), scanned.resultEnd()))
                .isEqualTo(ByteBufUtil.getBytes(parsed.result()));
        parsed.release();
        assertThat(frame.refCnt()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // not a plain successful response: the parser's to read
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"no\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}",
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}]",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"extra\":1}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":5}",
        "{\"jsonrpc\":\"2.0\",\"id\":1}",
        "{\"jsonrpc\":\"2.0\",\"result\":{}}",
        "{\"id\":1,\"result\":{}}",
        "{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"result\":{}}",
        "{\"json\\u0072pc\":\"2.0\",\"id\":1,\"result\":{}}",
        // ids the parser reads or refuses its own way
        "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":01,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1.0,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1e2,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1234567890123456789,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\",\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"caf\u00e9\",\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}",
        // malformed
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}} x",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},}",
        "{\"jsonrpc\":\"2.0\",\"id\":1 \"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":1,}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[1,]}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":01}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":1.}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":.5}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":+1}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":1e}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":-}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":tru}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":truex}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":NaN}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":'x'}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":\"\\x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":\"\\u12G4\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":\"tab\there\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":\"unclosed}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{/*c*/}}",
        // beyond the limits: 8 levels, strings of 64
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[[[[[[[[]]]]]]]]}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}}",
    })
    void leavesEverythingElseToTheParser(String message) {
        assertThat(decoder.scanResponse(message.getBytes(StandardCharsets.UTF_8))).as(message).isNull();
    }

    @Test
    void refusesMalformedUtf8() {
        byte[][] malformed = {
            {(byte) 0x80}, {(byte) 0xbf}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xc1, (byte) 0xbf},
            {(byte) 0xc3}, {(byte) 0xc3, 'a'}, {(byte) 0xe0, (byte) 0x80, (byte) 0x80},
            {(byte) 0xe2, (byte) 0x82}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xed, (byte) 0xbf, (byte) 0xbf},
            {(byte) 0xf0, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            {(byte) 0xf5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xff}, {(byte) 0xf0, (byte) 0x9f, (byte) 0x98},
        };
        for (byte[] bad : malformed) {
            byte[] value = concat("\"a".getBytes(StandardCharsets.US_ASCII), bad, "b\"".getBytes(StandardCharsets.US_ASCII));
            assertThat(scan.value(value, 0, value.length, 0)).as(ByteBufUtil.hexDump(bad)).isEqualTo(-1);
        }
        byte[][] wellFormed = {
            {(byte) 0xc2, (byte) 0x80}, {(byte) 0xdf, (byte) 0xbf}, {(byte) 0xe0, (byte) 0xa0, (byte) 0x80},
            {(byte) 0xed, (byte) 0x9f, (byte) 0xbf}, {(byte) 0xee, (byte) 0x80, (byte) 0x80},
            {(byte) 0xf0, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xf4, (byte) 0x8f, (byte) 0xbf, (byte) 0xbf},
        };
        for (byte[] good : wellFormed) {
            byte[] value = concat("\"a".getBytes(StandardCharsets.US_ASCII), good, "b\"".getBytes(StandardCharsets.US_ASCII));
            assertThat(scan.value(value, 0, value.length, 0)).as(ByteBufUtil.hexDump(good)).isEqualTo(value.length);
        }
    }

    @Test
    void stopsAtTheEndOfTheValue() {
        byte[] b = "{\"a\":[1,{\"b\":\"}]\"}]} trailing".getBytes(StandardCharsets.US_ASCII);
        assertThat(scan.value(b, 0, b.length, 0)).isEqualTo(b.length - " trailing".length());
        assertThat(scan.value(b, 0, 10, 0)).as("the value does not end within the bound").isEqualTo(-1);
        byte[] n = "-0.5e10,".getBytes(StandardCharsets.US_ASCII);
        assertThat(scan.value(n, 0, n.length, 0)).isEqualTo(n.length - 1);
    }

    /**
     * Mutations of plain responses (a byte changed, dropped, doubled, or the frame cut short): each
     * one the scan reads, the parser reads the same way, and a scanned result reads as JSON.
     */
    @Test
    void agreesWithTheParserOnMutatedResponses() throws Exception {
        String[] seeds = {
            "{\"jsonrpc\":\"2.0\",\"id\":12,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"h\\u00e9 \\\"x\\\"\"}],\"isError\":false}}",
            "{\"result\":{\"n\":[-1.5e+3,0,true,null],\"s\":\"caf\u00e9 \ud83d\ude00\"},\"id\":\"x\",\"jsonrpc\":\"2.0\"}",
        };
        Random random = new Random(20261207);
        int scanned = 0;
        for (int round = 0; round < 40_000; round++) {
            byte[] seed = seeds[round % seeds.length].getBytes(StandardCharsets.UTF_8);
            byte[] b = mutate(seed, random);
            ByteBuf frame = Unpooled.wrappedBuffer(b);
            EnvelopeDecoder.ScannedResponse fast = decoder.scanResponse(b.clone());
            if (fast == null) {
                continue;
            }
            scanned++;
            Object slow = decoder.decode(frame);
            String what = new String(b, StandardCharsets.ISO_8859_1);
            assertThat(slow).as(what).isInstanceOf(RpcMessage.class);
            RpcMessage parsed = (RpcMessage) slow;
            assertThat(parsed.kind()).as(what).isEqualTo(RpcMessage.Kind.RESPONSE);
            assertThat(fast.id()).as(what).isEqualTo(parsed.id());
            assertThat(ByteBufUtil.getBytes(fast.result())).as(what).isEqualTo(ByteBufUtil.getBytes(parsed.result()));
            try (com.fasterxml.jackson.core.JsonParser p = json.parser(fast.result())) {
                JsonTree.read(p);
            }
            parsed.release();
        }
        assertThat(scanned).as("mutations that stayed plain responses").isGreaterThan(1_000);
    }

    private static byte[] mutate(byte[] seed, Random random) {
        List<Byte> b = new ArrayList<>();
        for (byte x : seed) {
            b.add(x);
        }
        int changes = 1 + random.nextInt(2);
        for (int k = 0; k < changes && !b.isEmpty(); k++) {
            int at = random.nextInt(b.size());
            switch (random.nextInt(5)) {
                case 0 -> b.set(at, (byte) random.nextInt(256));
                case 1 -> b.set(at, (byte) "{}[]\",:\\ 0123456789.eE+-tfnu\u00ff".charAt(random.nextInt(29)));
                case 2 -> b.remove(at);
                case 3 -> b.add(at, b.get(at));
                default -> {
                    while (b.size() > at) {
                        b.remove(b.size() - 1);
                    }
                }
            }
        }
        byte[] out = new byte[b.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = b.get(k);
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
