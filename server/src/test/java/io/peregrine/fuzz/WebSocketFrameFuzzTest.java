package io.peregrine.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import org.junit.jupiter.api.AfterAll;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MCP over WebSocket after a real upgrade: the HTTP listener's handshake, Netty's frame decoder
 * (masking, lengths, control frames, UTF-8 validation), the aggregation of fragments and the MCP
 * handler, over a loopback socket (the answers come from the executor's threads, which an
 * {@code EmbeddedChannel} cannot take).
 *
 * <p>Each input upgrades one connection at {@code /mcp}, then writes its frames at once and a final
 * well-formed request. The input is lines; a line is a frame the fuzzer shapes when it starts with
 * {@code @} (masked as a client must, with a mask taken from the line; requests are 2026-07-28
 * {@code tools/call}s of echo with ids {@code "fz-N"}), otherwise raw bytes of the wire:
 * <ul>
 *   <li>{@code @t<text>}: a request in one text frame;</li>
 *   <li>{@code @f<k><text>}: the same request in 1 to 4 fragments (text, then continuation frames),
 *       with a ping between the first two when k is odd;</li>
 *   <li>{@code @P<data>}: a ping carrying data (at most 125 bytes);</li>
 *   <li>{@code @r<payload>}: a text frame whose payload is the rest of the line;</li>
 *   <li>{@code @b<payload>}: a binary frame;</li>
 *   <li>{@code @c<payload>}: a close frame (a status code and a reason, or anything);</li>
 *   <li>{@code @u<text>}: an unmasked text frame, which a client must not send;</li>
 *   <li>{@code @h<b0><b1><len>}: a frame head of the fuzzer's (flags, opcode, mask bit, a declared
 *       length of up to 2^63 - 1), then the rest of the line.</li>
 * </ul>
 *
 * <p>Invariants: what the server writes is a sequence of unmasked, well-formed frames; text frames
 * are JSON-RPC messages whose answers are well-formed; every shaped request is answered at most
 * once and with its id; a ping is answered by a pong with its data; when the server ends the
 * connection it sends one close frame, with a status code a server may send (1000-1003,
 * 1007-1014, 3000-4999) and a UTF-8 reason, and then closes the socket, nothing after it; when the
 * first frame that breaks the rules is a shaped one, the code is the one it calls for (1003 for
 * binary, 1002 unmasked, 1007 for text that is not UTF-8, the client's own code for a valid close,
 * 1002 for a close whose code is not allowed and 1007 for one whose reason is not UTF-8); with only well-formed
 * frames (requests, fragments, pings), nothing is closed, every request is answered exactly once,
 * and so is the final one; otherwise the final request is answered unless the server closed the
 * connection, and a new connection is then served; no buffer leaks.
 */
class WebSocketFrameFuzzTest {

    private static final String META = HttpWire.META_2026;
    private static final int MAX_FRAME = 4096;
    private static final int EITHER_1002_OR_1007 = -2;
    private static final Peregrine SERVER = start();

    private final Fuzzing.Rhythm rhythm = new Fuzzing.Rhythm();

    @FuzzTest(maxDuration = "30s")
    void everyRequestGetsOneAnswerOrTheSocketCloses(byte[] data) throws IOException {
        try (SilentCloseable loopback = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("localhost") || host.startsWith("127.") || host.equals("::1"))) {
            run(data);
        }
        rhythm.afterInput();
    }

    private void run(byte[] data) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Set<String> expected = new LinkedHashSet<>();
        List<String> pings = new ArrayList<>();
        boolean strict = true;
        // The close code the first frame that breaks the rules must bring, when only well-formed frames precede it.
        int expectedClose = 0;
        int n = 0;
        for (String line : new String(data, StandardCharsets.ISO_8859_1).split("\n", -1)) {
            String id = "fz-" + n;
            byte[] mask = mask(line);
            char kind = line.startsWith("@") && line.length() >= 2 ? line.charAt(1) : ' ';
            byte[] rest = line.length() > 2 ? line.substring(2).getBytes(StandardCharsets.ISO_8859_1) : new byte[0];
            switch (kind) {
                case 't':
                    wire.writeBytes(frame(0x81, request(id, rest), mask));
                    expected.add(id);
                    n++;
                    break;
                case 'f': {
                    int k = rest.length == 0 ? 1 : 1 + (rest[0] & 0xFF) % 4;
                    byte[] message = request(id, rest.length == 0 ? rest : Arrays.copyOfRange(rest, 1, rest.length));
                    int step = Math.max(1, (message.length + k - 1) / k);
                    for (int from = 0, i = 0; from < message.length; from += step, i++) {
                        int to = Math.min(message.length, from + step);
                        int head = (to == message.length ? 0x80 : 0) | (i == 0 ? 0x1 : 0x0);
                        wire.writeBytes(frame(head, Arrays.copyOfRange(message, from, to), mask));
                        if (i == 0 && k % 2 == 1 && to < message.length) {
                            wire.writeBytes(frame(0x89, new byte[] {'f', 'z'}, mask));
                            pings.add("fz");
                        }
                    }
                    expected.add(id);
                    n++;
                    break;
                }
                case 'P': {
                    byte[] payload = Arrays.copyOf(rest, Math.min(rest.length, 125));
                    wire.writeBytes(frame(0x89, payload, mask));
                    pings.add(new String(payload, StandardCharsets.ISO_8859_1));
                    break;
                }
                case 'r':
                    wire.writeBytes(frame(0x81, rest, mask));
                    if (strict && !isUtf8(rest)) {
                        expectedClose = 1007;
                    }
                    strict = false;
                    break;
                case 'b':
                    wire.writeBytes(frame(0x82, rest, mask));
                    if (strict) {
                        expectedClose = 1003;
                    }
                    strict = false;
                    break;
                case 'c': {
                    byte[] close = Arrays.copyOf(rest, Math.min(rest.length, 125));
                    wire.writeBytes(frame(0x88, close, mask));
                    if (strict && close.length > 0) {
                        // The server echoes a valid close, and answers any other with 1002.
                        int code = close.length >= 2 ? ((close[0] & 0xFF) << 8) | (close[1] & 0xFF) : -1;
                        boolean allowed = close.length >= 2 && allowedCloseCode(code);
                        // A reason that is not UTF-8 is invalid payload data (1007), like a text frame's.
                        boolean utf8 = close.length < 2 || isUtf8(Arrays.copyOfRange(close, 2, close.length));
                        // Both wrong: the decoder checks the reason first (1007) when it lets the code through.
                        expectedClose = allowed ? (utf8 ? code : 1007) : utf8 ? 1002 : EITHER_1002_OR_1007;
                    }
                    strict = false;
                    break;
                }
                case 'u':
                    wire.writeBytes(frame(0x81, request(id, rest), null));
                    n++;
                    if (strict) {
                        expectedClose = 1002;
                    }
                    strict = false;
                    break;
                case 'h': {
                    if (rest.length < 3) {
                        wire.writeBytes(rest);
                    } else {
                        wire.write(rest[0]);
                        int b1 = rest[1] & 0xFF;
                        wire.write(b1);
                        int len = b1 & 0x7F;
                        // The extended length: 2 or 8 bytes, from the line (a huge declared length included).
                        int ext = len == 126 ? 2 : len == 127 ? 8 : 0;
                        for (int i = 0; i < ext; i++) {
                            wire.write(2 + i < rest.length ? rest[2 + i] : 0);
                        }
                        if ((b1 & 0x80) != 0) {
                            wire.writeBytes(mask);
                        }
                        if (2 + ext < rest.length) {
                            wire.write(rest, 2 + ext, rest.length - 2 - ext);
                        }
                    }
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
        wire.writeBytes(frame(0x81, request("fz-end", new byte[0]), new byte[] {1, 2, 3, 4}));
        String context = escape(wire.toByteArray());

        InetSocketAddress address = SERVER.addresses().http();
        boolean closed;
        try (Socket socket = HttpWire.connect(address)) {
            upgrade(socket);
            socket.getOutputStream().write(wire.toByteArray());
            socket.getOutputStream().flush();
            closed = readUntilAnsweredOrClosed(socket, expected, pings, strict, expectedClose, context);
        }
        if (closed) {
            try (Socket socket = HttpWire.connect(address)) {
                upgrade(socket);
                socket.getOutputStream().write(frame(0x81, request("fz-after", new byte[0]), new byte[] {9, 8, 7, 6}));
                socket.getOutputStream().flush();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                Frame f = Frame.read(in);
                assertThat(f.opcode).as("a new connection is served").isEqualTo(1);
                assertThat(HttpWire.parse(f.text(), "answer").path("id").asText()).isEqualTo("fz-after");
            }
        }
    }

    /** Reads frames until the final request's answer or the server's close; true when the server closed. */
    private static boolean readUntilAnsweredOrClosed(Socket socket, Set<String> expected, List<String> pings, boolean strict,
                                                     int expectedClose, String context) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        Map<String, Integer> answers = new HashMap<>();
        List<String> pongs = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < deadline) {
            Frame f;
            try {
                f = Frame.read(in);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("neither the final answer nor a close within 4 s; answers " + answers
                        + "\nsent: " + context, e);
            } catch (EOFException | SocketException e) {
                throw new AssertionError("the connection ended without a close frame; answers " + answers
                        + "\nsent: " + context, e);
            }
            if (f.opcode == 0x8) {
                checkClose(f, context);
                if (expectedClose == EITHER_1002_OR_1007) {
                    assertThat(f.closeCode()).as("the close code; sent: %s", context).isIn(1002, 1007);
                } else if (expectedClose != 0) {
                    assertThat(f.closeCode()).as("the close code; sent: %s", context).isEqualTo(expectedClose);
                }
                assertThat(strict).as("closed (%s) though every frame was well-formed; sent: %s", f.closeCode(), context).isFalse();
                int after = in.read();
                if (after >= 0) {
                    byte[] more = new byte[200];
                    int k = in.read(more);
                    throw new AssertionError("after a close frame (" + f + ") the server wrote more: " + escape(new byte[] {(byte) after})
                            + escape(Arrays.copyOf(more, Math.max(k, 0))) + "\nsent: " + context);
                }
                return true;
            }
            if (f.opcode == 0xA) {
                pongs.add(new String(f.payload, StandardCharsets.ISO_8859_1));
                continue;
            }
            assertThat(f.opcode).as("a text frame: %s; sent: %s", f, context).isEqualTo(1);
            JsonNode message = HttpWire.parse(f.text(), "text frame");
            for (JsonNode m : message.isArray() ? message : List.of(message)) {
                if (m.has("method")) {
                    continue;
                }
                HttpWire.checkAnswer(m, f.text());
                String id = m.path("id").asText();
                if (id.startsWith("fz-")) {
                    assertThat(answers.merge(id, 1, Integer::sum)).as("answers to %s; sent: %s", id, context).isEqualTo(1);
                    if (expected.contains(id) || id.equals("fz-end")) {
                        assertThat(m.has("result")).as("a well-formed request's answer: %s", f.text()).isTrue();
                    }
                }
            }
            if (answers.containsKey("fz-end")) {
                break;
            }
        }
        assertThat(answers).as("the final request is answered; sent: %s", context).containsKey("fz-end");
        assertThat(expectedClose).as("a close with %s was due; sent: %s", expectedClose, context).isZero();
        if (strict) {
            for (String id : expected) {
                assertThat(answers.get(id)).as("answers to %s; sent: %s", id, context).isEqualTo(1);
            }
            // Pongs come back in the order of the pings, all before the final answer (written after them).
            assertThat(pongs).as("pongs; sent: %s", context).isEqualTo(pings);
        }
        return false;
    }

    private static void checkClose(Frame f, String context) {
        assertThat(f.fin).as("a close frame is not fragmented").isTrue();
        assertThat(f.payload.length).as("close payload").isNotEqualTo(1).isLessThanOrEqualTo(125);
        if (f.payload.length >= 2) {
            int code = f.closeCode();
            assertThat(allowedCloseCode(code))
                    .as("close code %s; sent: %s", code, context).isTrue();
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(f.payload, 2, f.payload.length - 2));
            } catch (CharacterCodingException e) {
                throw new AssertionError("close reason is not UTF-8", e);
            }
        }
    }

    /** One frame the server wrote: unmasked, with a length in its shortest form (RFC 6455 §5.2). */
    static final class Frame {
        final boolean fin;
        final int opcode;
        final byte[] payload;

        private Frame(boolean fin, int opcode, byte[] payload) {
            this.fin = fin;
            this.opcode = opcode;
            this.payload = payload;
        }

        static Frame read(DataInputStream in) throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            assertThat(b0 & 0x70).as("no reserved bits (no extension was negotiated)").isZero();
            assertThat(b1 & 0x80).as("a server's frames are not masked").isZero();
            int opcode = b0 & 0x0F;
            assertThat(opcode == 0 || opcode == 1 || opcode == 2 || opcode >= 8 && opcode <= 10).as("opcode %s", opcode).isTrue();
            long len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
                assertThat(len).as("shortest length form").isGreaterThanOrEqualTo(126);
            } else if (len == 127) {
                len = in.readLong();
                assertThat(len).as("shortest length form").isGreaterThan(0xFFFF);
            }
            assertThat(len).as("frame length").isLessThanOrEqualTo(1 << 20);
            if (opcode >= 8) {
                assertThat(len).as("control frame length").isLessThanOrEqualTo(125);
                assertThat(b0 & 0x80).as("control frames are not fragmented").isNotZero();
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            boolean fin = (b0 & 0x80) != 0;
            assertThat(fin || opcode == 1).as("only text is fragmented").isTrue();
            if (!fin) {
                // Join a fragmented text message (the server does not fragment today; accept it if it does).
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                all.writeBytes(payload);
                Frame next;
                do {
                    next = read(in);
                    if (next.opcode == 0) {
                        all.writeBytes(next.payload);
                    }
                } while (!(next.opcode == 0 && next.fin));
                payload = all.toByteArray();
            }
            return new Frame(true, opcode, payload);
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "opcode " + opcode + ": " + escape(payload);
        }
    }

    /** Upgrades {@code socket} at /mcp and checks the 101 the server answers (RFC 6455 §4.2.2). */
    static void upgrade(Socket socket) throws IOException {
        byte[] nonce = new byte[16];
        new java.util.Random(socket.getLocalPort()).nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mcp\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        HttpWire.Response r = new HttpWire(socket.getInputStream()).read();
        assertThat(r).isNotNull();
        assertThat(r.status).as("%s", r).isEqualTo(101);
        assertThat(r.header("sec-websocket-accept")).isEqualTo(accept(key));
    }

    private static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A frame with head byte {@code b0}, masked with {@code mask} unless it is null. */
    static byte[] frame(int b0, byte[] payload, byte[] mask) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(b0);
        int m = mask == null ? 0 : 0x80;
        if (payload.length < 126) {
            f.write(m | payload.length);
        } else if (payload.length <= 0xFFFF) {
            f.write(m | 126);
            f.write(payload.length >> 8);
            f.write(payload.length);
        } else {
            f.write(m | 127);
            f.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
        }
        if (mask == null) {
            f.writeBytes(payload);
        } else {
            f.writeBytes(mask);
            for (int i = 0; i < payload.length; i++) {
                f.write(payload[i] ^ mask[i & 3]);
            }
        }
        return f.toByteArray();
    }

    /** A 2026-07-28 echo of {@code text} (Latin-1, as JSON) with id {@code id}, as UTF-8. */
    private static byte[] request(String id, byte[] text) {
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
        return b.append("\"},").append(META).append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The close codes RFC 6455 §7.4 lets an endpoint send. */
    private static boolean allowedCloseCode(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] mask(String line) {
        int h = line.hashCode();
        return new byte[] {(byte) (h >> 24), (byte) (h >> 16), (byte) (h >> 8), (byte) h};
    }

    static String escape(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < bytes.length && i < 4000; i++) {
            int c = bytes[i] & 0xFF;
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return b.toString();
    }

    private static Peregrine start() {
        LeakWatch.install();
        try {
            Peregrine server = Peregrine.builder()
                    .tool(EchoTool.create())
                    .maxFrameBytes(MAX_FRAME).maxLineLength(16 * 1024)
                    .webSocketIdleTimeout(Duration.ofMillis(1_500)).webSocketPingInterval(Duration.ZERO)
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
