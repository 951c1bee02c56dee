package io.peregrine.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import org.junit.jupiter.api.AfterAll;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streamable HTTP over HTTP/2 with prior knowledge (h2c) on the HTTP listener: the preface
 * detection beside HTTP/1.1, Netty's frame codec and stream multiplexer, and each stream's HTTP
 * handlers and MCP endpoint, over a loopback socket (answers come from the executor's threads).
 *
 * <p>Each input opens one connection with the preface and an empty SETTINGS, reads the server's
 * SETTINGS, writes its frames at once and a final well-formed stream. The input is lines; a line is
 * a frame the fuzzer shapes when it starts with {@code @}, otherwise raw bytes of the wire:
 * <ul>
 *   <li>{@code @s<text>}: a well-formed stream (the next odd id): HEADERS of a 2026-07-28 POST of
 *       {@code tools/call} echo with its {@code Mcp-*} headers, then DATA with END_STREAM carrying
 *       the request (id {@code "fz-N"}), split in two DATA frames when the text is long;</li>
 *   <li>{@code @p<data>}: a PING with 8 bytes of data;</li>
 *   <li>{@code @f<type><flags><s><payload>}: a frame of the fuzzer's type and flags on stream 0,
 *       the last stream opened, the next new one or 2^31 - 1 (by s), its length that of the
 *       payload;</li>
 *   <li>{@code @h<text>}: HEADERS of a request the fuzzer names: method, path and one header from
 *       the text (HPACK-encoded, possibly invalid as HTTP/2 requires), END_STREAM.</li>
 * </ul>
 *
 * <p>Invariants: the server's frames are well-formed (a known length bound, HPACK that decodes
 * with the connection's decoder); every stream gets at most one final response, which has a
 * {@code :status}, and a JSON body that parses; a GOAWAY carries a known error code and is followed
 * by the end of the connection; with only well-formed streams and pings, each stream gets exactly
 * one 200 whose answer has its id and a result, each PING its ACK with the same data, and nothing
 * is refused; otherwise the final stream is answered unless the server sent GOAWAY or closed the
 * connection (a GOAWAY or RST_STREAM names the error); no buffer leaks.
 */
class H2cFuzzTest {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8,
            CONTINUATION = 9;
    private static final Peregrine SERVER = start();

    private final Fuzzing.Rhythm rhythm = new Fuzzing.Rhythm();

    /** What one stream got back. */
    private static final class Stream {
        Http2Headers head;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean ended;
        long reset = -1;
        int finals;
    }

    @FuzzTest(maxDuration = "30s")
    void everyStreamGetsOneAnswerOrAnError(byte[] data) throws IOException, Http2Exception {
        try (SilentCloseable loopback = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("localhost") || host.startsWith("127.") || host.equals("::1"))) {
            run(data);
        }
        rhythm.afterInput();
    }

    private void run(byte[] data) throws IOException, Http2Exception {
        DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Map<Integer, String> expected = new LinkedHashMap<>();
        List<String> pings = new ArrayList<>();
        boolean strict = true;
        int nextStream = 1;
        int n = 0;
        for (String line : new String(data, StandardCharsets.ISO_8859_1).split("\n", -1)) {
            byte[] rest = line.length() > 2 ? line.substring(2).getBytes(StandardCharsets.ISO_8859_1) : new byte[0];
            char kind = line.startsWith("@") && line.length() >= 2 ? line.charAt(1) : ' ';
            switch (kind) {
                case 's': {
                    String id = "fz-" + n++;
                    writeStream(wire, hpack, nextStream, id, rest);
                    expected.put(nextStream, id);
                    nextStream += 2;
                    break;
                }
                case 'p': {
                    byte[] ping = Arrays.copyOf(rest, 8);
                    wire.writeBytes(frame(PING, 0, 0, ping));
                    pings.add(new String(ping, StandardCharsets.ISO_8859_1));
                    break;
                }
                case 'f': {
                    if (rest.length < 3) {
                        break;
                    }
                    int type = rest[0] & 0xFF;
                    int flags = rest[1] & 0xFF;
                    int[] ids = {0, Math.max(1, nextStream - 2), nextStream, Integer.MAX_VALUE};
                    int stream = ids[(rest[2] & 0xFF) % ids.length];
                    if (stream == nextStream && type == HEADERS) {
                        nextStream += 2;
                    }
                    wire.writeBytes(frame(type, flags, stream, Arrays.copyOfRange(rest, 3, rest.length)));
                    strict = false;
                    break;
                }
                case 'h': {
                    String[] parts = new String(rest, StandardCharsets.ISO_8859_1).split(" ", 4);
                    Http2Headers h = new DefaultHttp2Headers(false);
                    h.method(parts[0]).path(parts.length > 1 ? parts[1] : "").scheme("http").authority("127.0.0.1");
                    if (parts.length > 3) {
                        h.add(parts[2].toLowerCase(Locale.ROOT), parts[3]);
                    }
                    wire.writeBytes(frame(HEADERS, 0x5, nextStream, encode(hpack, h)));
                    nextStream += 2;
                    strict = false;
                    break;
                }
                default:
                    if (!line.isEmpty()) {
                        wire.writeBytes(line.getBytes(StandardCharsets.ISO_8859_1));
                        strict = false;
                    }
            }
        }
        int endStream = nextStream;
        writeStream(wire, hpack, endStream, "fz-end", new byte[0]);
        String context = WebSocketFrameFuzzTest.escape(wire.toByteArray());

        try (Socket socket = HttpWire.connect(SERVER.addresses().http())) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(PREFACE);
            out.write(frame(SETTINGS, 0, 0, new byte[0]));
            out.flush();
            Frame first = Frame.read(in);
            assertThat(first.type).as("the server's preface is a SETTINGS frame").isEqualTo(SETTINGS);
            out.write(frame(SETTINGS, 0x1, 0, new byte[0]));
            out.write(wire.toByteArray());
            out.flush();
            read(in, expected, pings, strict, endStream, context);
        }
    }

    private static void read(DataInputStream in, Map<Integer, String> expected, List<String> pings, boolean strict,
                             int endStream, String context) throws IOException, Http2Exception {
        DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(true);
        Map<Integer, Stream> streams = new HashMap<>();
        List<String> acks = new ArrayList<>();
        long goAway = -1;
        boolean closed = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < deadline) {
            // Streams are answered in any order: wait for the final one, and when strict for every one.
            if (done(streams, endStream) && (!strict || expected.keySet().stream().allMatch(id -> done(streams, id)))) {
                break;
            }
            Frame f;
            try {
                f = Frame.read(in);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("neither the final stream's answer nor an end within 4 s; streams "
                        + streams.keySet() + "\nsent: " + context, e);
            } catch (EOFException | SocketException e) {
                closed = true;
                break;
            }
            if (goAway >= 0) {
                assertThat(f.type == DATA || f.type == HEADERS || f.type == CONTINUATION || f.type == RST_STREAM
                        || f.type == WINDOW_UPDATE || f.type == SETTINGS || f.type == PING || f.type == GOAWAY)
                        .as("after GOAWAY: %s", f.type).isTrue();
            }
            switch (f.type) {
                case HEADERS: {
                    byte[] block = f.headerBlock();
                    while ((f.flags & 0x4) == 0) {
                        Frame c = Frame.read(in);
                        assertThat(c.type).as("CONTINUATION follows an unfinished header block").isEqualTo(CONTINUATION);
                        assertThat(c.stream).isEqualTo(f.stream);
                        block = concat(block, c.payload);
                        f = new Frame(HEADERS, f.flags | (c.flags & 0x4), f.stream, f.payload);
                    }
                    ByteBuf b = Unpooled.wrappedBuffer(block);
                    Http2Headers h = hpack.decodeHeaders(f.stream, b);
                    b.release();
                    Stream s = streams.computeIfAbsent(f.stream, k -> new Stream());
                    if (h.status() != null && !h.status().toString().startsWith("1")) {
                        s.finals++;
                        s.head = h;
                        assertThat(s.finals).as("final responses on stream %s; sent: %s", f.stream, context).isEqualTo(1);
                    } else if (h.status() == null) {
                        assertThat(s.head).as("trailers follow a response").isNotNull();
                    }
                    s.ended |= (f.flags & 0x1) != 0;
                    break;
                }
                case DATA: {
                    Stream s = streams.computeIfAbsent(f.stream, k -> new Stream());
                    assertThat(s.head).as("DATA after a response head on stream %s", f.stream).isNotNull();
                    s.body.writeBytes(f.data());
                    s.ended |= (f.flags & 0x1) != 0;
                    break;
                }
                case RST_STREAM:
                    assertThat(f.payload.length).isEqualTo(4);
                    streams.computeIfAbsent(f.stream, k -> new Stream()).reset = ByteBuffer.wrap(f.payload).getInt() & 0xFFFFFFFFL;
                    assertThat(streams.get(f.stream).reset).as("RST_STREAM error code").isLessThanOrEqualTo(13);
                    break;
                case GOAWAY:
                    assertThat(f.stream).isZero();
                    assertThat(f.payload.length).isGreaterThanOrEqualTo(8);
                    goAway = ByteBuffer.wrap(f.payload, 4, 4).getInt() & 0xFFFFFFFFL;
                    assertThat(goAway).as("GOAWAY error code").isLessThanOrEqualTo(13);
                    break;
                case PING:
                    assertThat(f.flags & 0x1).as("the server pings nobody: a PING from it is an ACK").isEqualTo(1);
                    acks.add(new String(f.payload, StandardCharsets.ISO_8859_1));
                    break;
                default:
                    break;
            }
        }
        if (closed || goAway > 0) {
            assertThat(strict).as("a well-formed connection was ended (GOAWAY %s); sent: %s", goAway, context).isFalse();
        }
        for (Map.Entry<Integer, Stream> e : streams.entrySet()) {
            Stream s = e.getValue();
            if (s.head != null && s.ended && s.head.contains("content-type")
                    && s.head.get("content-type").toString().startsWith("application/json")) {
                JsonNode answer = HttpWire.parse(s.body.toString(StandardCharsets.UTF_8), "the body of stream " + e.getKey());
                for (JsonNode m : answer.isArray() ? answer : List.of(answer)) {
                    HttpWire.checkAnswer(m, answer);
                    String id = expected.get(e.getKey());
                    if (id != null && s.head.status().toString().equals("200")) {
                        assertThat(m.path("id").asText()).as("the id on stream %s", e.getKey()).isEqualTo(id);
                    }
                }
            }
        }
        if (!closed && goAway < 0) {
            Stream end = streams.get(endStream);
            assertThat(end).as("the final stream is answered; sent: %s", context).isNotNull();
            assertThat(end.ended || end.reset >= 0).as("the final stream ends").isTrue();
        }
        if (strict) {
            expected.put(endStream, "fz-end");
            for (Map.Entry<Integer, String> e : expected.entrySet()) {
                Stream s = streams.get(e.getKey());
                assertThat(s).as("stream %s (%s) is answered; sent: %s", e.getKey(), e.getValue(), context).isNotNull();
                assertThat(s.reset).as("stream %s reset; sent: %s", e.getKey(), context).isEqualTo(-1);
                assertThat(s.head.status().toString()).as("stream %s: %s", e.getKey(), s.body).isEqualTo("200");
                JsonNode answer = HttpWire.parse(s.body.toString(StandardCharsets.UTF_8), "stream " + e.getKey());
                assertThat(answer.path("id").asText()).isEqualTo(e.getValue());
                assertThat(answer.has("result")).as("%s", answer).isTrue();
            }
            // The final stream's answer is written after every PING ACK (both written on the I/O thread, the pings first).
            assertThat(acks).as("PING ACKs; sent: %s", context).isEqualTo(pings);
        }
    }

    private static boolean done(Map<Integer, Stream> streams, int id) {
        Stream s = streams.get(id);
        return s != null && (s.ended || s.reset >= 0);
    }

    /** HEADERS and DATA of a well-formed 2026-07-28 echo call with id {@code id} on {@code stream}. */
    private static void writeStream(ByteArrayOutputStream wire, DefaultHttp2HeadersEncoder hpack, int stream, String id,
                                    byte[] text) throws Http2Exception {
        Http2Headers h = new DefaultHttp2Headers();
        h.method("POST").path("/mcp").scheme("http").authority("127.0.0.1")
                .add("content-type", "application/json").add("accept", "application/json, text/event-stream")
                .add("mcp-protocol-version", "2026-07-28").add("mcp-method", "tools/call").add("mcp-name", "echo");
        wire.writeBytes(frame(HEADERS, 0x4, stream, encode(hpack, h)));
        StringBuilder b = new StringBuilder("{\"jsonrpc\":\"2.0\",\"id\":\"").append(id)
                .append("\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"");
        for (byte x : text) {
            char c = (char) (x & 0xFF);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        byte[] body = b.append("\"},").append(HttpWire.META_2026).append("}}").toString().getBytes(StandardCharsets.UTF_8);
        if (text.length > 8) {
            int half = body.length / 2;
            wire.writeBytes(frame(DATA, 0, stream, Arrays.copyOfRange(body, 0, half)));
            wire.writeBytes(frame(DATA, 0x1, stream, Arrays.copyOfRange(body, half, body.length)));
        } else {
            wire.writeBytes(frame(DATA, 0x1, stream, body));
        }
    }

    private static byte[] encode(DefaultHttp2HeadersEncoder hpack, Http2Headers h) throws Http2Exception {
        ByteBuf b = Unpooled.buffer();
        try {
            hpack.encodeHeaders(0, h, b);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            return bytes;
        } finally {
            b.release();
        }
    }

    static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteBuffer f = ByteBuffer.allocate(9 + payload.length);
        f.put((byte) (payload.length >> 16)).put((byte) (payload.length >> 8)).put((byte) payload.length);
        f.put((byte) type).put((byte) flags).putInt(stream & 0x7FFFFFFF).put(payload);
        return f.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** One frame the server wrote (RFC 9113 §4.1), within the default SETTINGS_MAX_FRAME_SIZE. */
    private static final class Frame {
        final int type;
        final int flags;
        final int stream;
        final byte[] payload;

        Frame(int type, int flags, int stream, byte[] payload) {
            this.type = type;
            this.flags = flags;
            this.stream = stream;
            this.payload = payload;
        }

        static Frame read(DataInputStream in) throws IOException {
            int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
            assertThat(length).as("frame length").isLessThanOrEqualTo(16_384);
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt();
            assertThat(stream).as("the reserved bit").isNotNegative();
            byte[] payload = new byte[length];
            in.readFully(payload);
            assertThat(type).as("a frame type the server sends").isLessThanOrEqualTo(CONTINUATION);
            return new Frame(type, flags, stream, payload);
        }

        /** The payload without padding (and priority, for HEADERS). */
        byte[] headerBlock() {
            int from = 0;
            int to = payload.length;
            if ((flags & 0x8) != 0) {
                to -= payload[0] & 0xFF;
                from = 1;
            }
            if ((flags & 0x20) != 0) {
                from += 5;
            }
            assertThat(to).as("padding within the frame").isGreaterThanOrEqualTo(from);
            return Arrays.copyOfRange(payload, from, to);
        }

        byte[] data() {
            if ((flags & 0x8) == 0) {
                return payload;
            }
            int pad = payload[0] & 0xFF;
            assertThat(payload.length - 1).as("padding within the frame").isGreaterThanOrEqualTo(pad);
            return Arrays.copyOfRange(payload, 1, payload.length - pad);
        }
    }

    private static Peregrine start() {
        LeakWatch.install();
        try {
            Peregrine server = Peregrine.builder()
                    .tool(EchoTool.create())
                    .h2c(true).maxBodyBytes(64 * 1024).httpKeepAliveTimeout(Duration.ofMillis(1_500))
                    .maxConcurrency(8)
                    .noTcp().http("127.0.0.1", 0).build();
            server.start();
            return server;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        SERVER.close();
    }
}
