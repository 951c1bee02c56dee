package io.peregrine.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.peregrine.Peregrine;
import io.peregrine.testing.TestTools;
import org.junit.jupiter.api.AfterAll;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resumption of a 2025-era SSE stream with {@code Last-Event-ID}, against a session with a known
 * history: two POST streams of a tool that reports progress, read to their ends when the target
 * starts. Stream A (priming event, two progress notifications, the result) is kept whole; stream B
 * (priming, five progress notifications, the result) is longer than the events kept per stream
 * ({@code http.replay-events} 4), so its first three are gone.
 *
 * <p>Input: the {@code Last-Event-ID} value of one GET on the session (bytes that cannot be in a
 * header line dropped). Starting with {@code @a} or {@code @b}, it is stream A's or B's id
 * followed by the rest of the line, so that the fuzzer reaches the sequence numbers quickly.
 *
 * <p>Invariants, against a model of the history: an id as the server writes them
 * ({@code <stream>_<sequence>}, canonical decimal, a sequence below 2^63) of a stream of this session whose events after
 * it are all kept resumes with 200 and exactly the events after it, in order, with their ids and
 * data as first sent, and the stream ends; any other value is refused with 404 and a message
 * naming it; the session and its history stay as they were (the next input sees the same); no
 * buffer leaks.
 */
class SseResumptionFuzzTest {

    private static final int REPLAY_EVENTS = 4;
    private static final Pattern CANONICAL = Pattern.compile("(0|[1-9][0-9]{0,9})_(0|[1-9][0-9]{0,18})");
    private static final Peregrine SERVER = start();
    private static final String SESSION;
    private static final History A;
    private static final History B;

    static {
        try (Socket socket = HttpWire.connect(SERVER.addresses().http())) {
            OutputStream out = socket.getOutputStream();
            HttpWire wire = new HttpWire(socket.getInputStream());
            out.write(HttpWire.post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}")
                    .getBytes(StandardCharsets.ISO_8859_1));
            HttpWire.Response init = wire.read();
            SESSION = init.header("mcp-session-id");
            out.write(HttpWire.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                    "Mcp-Session-Id: " + SESSION, "MCP-Protocol-Version: 2025-11-25").getBytes(StandardCharsets.ISO_8859_1));
            assertThat(wire.read().status).isEqualTo(202);
            A = History.of(call(out, wire, 1, 2));
            B = History.of(call(out, wire, 2, 5));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final Fuzzing.Rhythm rhythm = new Fuzzing.Rhythm();

    /** The events of one stream as first delivered: ids and data, in order. */
    private static final class History {
        final int stream;
        final List<Long> seqs = new ArrayList<>();
        final List<String> data = new ArrayList<>();

        private History(int stream) {
            this.stream = stream;
        }

        static History of(HttpWire.Response r) {
            assertThat(r.status).as("%s", r).isEqualTo(200);
            assertThat(r.header("content-type")).startsWith("text/event-stream");
            History h = null;
            for (String[] e : events(r.body)) {
                Matcher m = CANONICAL.matcher(e[0]);
                assertThat(m.matches()).as("event id %s", e[0]).isTrue();
                int stream = Integer.parseInt(m.group(1));
                if (h == null) {
                    h = new History(stream);
                }
                assertThat(stream).isEqualTo(h.stream);
                long seq = Long.parseLong(m.group(2));
                assertThat(h.seqs.isEmpty() || seq > h.seqs.get(h.seqs.size() - 1)).as("ids ascend").isTrue();
                h.seqs.add(seq);
                h.data.add(e[1]);
            }
            assertThat(h).isNotNull();
            return h;
        }

        /** The last sequence number that is no longer kept (-1: none), as {@code http.replay-events} says. */
        long droppedThrough() {
            return seqs.size() <= REPLAY_EVENTS ? -1 : seqs.get(seqs.size() - REPLAY_EVENTS - 1);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void resumesExactlyOrRefuses(byte[] data) throws IOException {
        try (SilentCloseable loopback = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("localhost") || host.startsWith("127.") || host.equals("::1"))) {
            run(data);
        }
        rhythm.afterInput();
    }

    private void run(byte[] data) throws IOException {
        String value = HttpWire.clean(new String(data, StandardCharsets.ISO_8859_1));
        if (value.isEmpty()) {
            return; // without Last-Event-ID a GET opens the session's own stream, which stays open
        }
        if (value.startsWith("@a") || value.startsWith("@b")) {
            value = (value.charAt(1) == 'a' ? A : B).stream + "_" + value.substring(2);
        }
        HttpWire.Response r;
        try (Socket socket = HttpWire.connect(SERVER.addresses().http())) {
            socket.getOutputStream().write(("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                    + "Mcp-Session-Id: " + SESSION + "\r\nMCP-Protocol-Version: 2025-11-25\r\n"
                    + "Last-Event-ID: " + value + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            r = new HttpWire(socket.getInputStream()).read();
        }
        assertThat(r).isNotNull();
        History h = null;
        long after = 0;
        Matcher m = CANONICAL.matcher(value);
        if (m.matches() && new BigInteger(m.group(2)).bitLength() < 64) {
            long stream = Long.parseLong(m.group(1));
            h = stream == A.stream ? A : stream == B.stream ? B : null;
            after = Long.parseLong(m.group(2));
        }
        if (h == null || after < h.droppedThrough()) {
            assertThat(r.status).as("Last-Event-ID %s: %s", value, r).isEqualTo(404);
            assertThat(r.body).as("the refusal names the id").contains(value);
            return;
        }
        assertThat(r.status).as("Last-Event-ID %s: %s", value, r).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        List<String> got = new ArrayList<>();
        for (String[] e : events(r.body)) {
            ids.add(e[0]);
            got.add(e[1]);
        }
        List<String> wantIds = new ArrayList<>();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < h.seqs.size(); i++) {
            if (h.seqs.get(i) > after) {
                wantIds.add(h.stream + "_" + h.seqs.get(i));
                want.add(h.data.get(i));
            }
        }
        assertThat(ids).as("the ids replayed after %s", value).isEqualTo(wantIds);
        assertThat(got).as("the data replayed after %s", value).isEqualTo(want);
    }

    /** The events of an SSE body as {id, data}; every event the server writes has an id. */
    private static List<String[]> events(String body) {
        List<String[]> events = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            if (event.isBlank()) {
                continue;
            }
            String id = null;
            StringBuilder data = new StringBuilder();
            for (String l : event.split("\n")) {
                if (l.startsWith("id: ")) {
                    id = l.substring(4);
                } else if (l.startsWith("data:")) {
                    data.append(l.substring(l.startsWith("data: ") ? 6 : 5));
                }
            }
            if (id == null && data.length() == 0) {
                continue; // a comment (keep-alive)
            }
            assertThat(id).as("event without id: %s", event).isNotNull();
            if (data.length() > 0) {
                HttpWire.parse(data.toString(), "event " + id);
            }
            events.add(new String[] {id, data.toString()});
        }
        return events;
    }

    /** POSTs a call of {@code slow} with {@code steps} progress notifications and reads its stream to the end. */
    private static HttpWire.Response call(OutputStream out, HttpWire wire, int id, int steps) throws IOException {
        out.write(HttpWire.post("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":"
                        + "\"slow\",\"arguments\":{\"millis\":" + (steps * 2) + ",\"steps\":" + steps + "},\"_meta\":{\"progressToken\":"
                        + id + "}}}", "Mcp-Session-Id: " + SESSION, "MCP-Protocol-Version: 2025-11-25")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return wire.read();
    }

    private static Peregrine start() {
        LeakWatch.install();
        try {
            Peregrine server = Peregrine.builder()
                    .tool(TestTools.slow())
                    .replayEvents(REPLAY_EVENTS).sseKeepAlive(java.time.Duration.ZERO)
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
