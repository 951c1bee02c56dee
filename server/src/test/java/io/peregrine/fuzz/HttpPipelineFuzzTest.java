package io.peregrine.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import org.junit.jupiter.api.AfterAll;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streamable HTTP end to end: the real HTTP listener (its initializer, codec, response ordering,
 * read timeout, aggregator, Origin check, the MCP endpoint, sessions and exchanges) and the core
 * behind it, over a loopback socket. An {@code EmbeddedChannel} cannot stand in for the socket: the
 * answers are written from the executor's threads, and an embedded channel's event loop is not
 * thread-safe.
 *
 * <p>Each input runs on one connection: an {@code initialize} (its version picked by the first
 * byte: 2025-03-26, 2025-06-18 or 2025-11-25) and {@code notifications/initialized} open a session,
 * then every request of the input is written at once (pipelined in one buffer), then a final
 * 2026-07-28 {@code tools/list}. The rest of the input is lines; a line is a request the fuzzer shapes when it starts with
 * {@code @} (ids {@code "fz-N"}), otherwise raw bytes of the wire, sent with CRLF:
 * <ul>
 *   <li>{@code @p}: a 2026-07-28 {@code tools/list} with its headers;</li>
 *   <li>{@code @c<e><text>}: an echo of text (as JSON-escaped Latin-1), in the session when e is
 *       even, else a 2026-07-28 call whose {@code Mcp-Name} is plain or {@code =?base64?...?=} by
 *       the next bit;</li>
 *   <li>{@code @n<b64>}: a 2026-07-28 echo whose {@code Mcp-Name} is {@code =?base64?b64?=};</li>
 *   <li>{@code @B<k>}: a batch of k pings in the session (a 2025-03-26 feature);</li>
 *   <li>{@code @h<m><k><value>}: a request of method m (POST, DELETE, PUT, OPTIONS, PATCH) to
 *       {@code /mcp} with one header k (Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name,
 *       Content-Type, Accept, Origin, Last-Event-ID, Expect) set to value (control bytes dropped),
 *       and for POST a session ping;</li>
 *   <li>{@code @j<body>}: a POST in the session whose body is the rest of the line;</li>
 *   <li>{@code @u<path>}: a 2026-07-28 {@code tools/list} POSTed to the rest of the line as the path.</li>
 * </ul>
 *
 * <p>Invariants: every response follows RFC 9112 (read strictly by {@link HttpWire}) with a status
 * other than 500, JSON bodies and SSE events parse, and answers are JSON-RPC 2.0; with only shaped
 * requests, each gets exactly one response, in order, and its answer carries its id (or null when
 * the transport refused it before reading it: 406, 415) — for the well-formed ones a result, unless
 * the session was deleted; every {@code fz-} id is answered at most once; the final request is
 * answered on the same connection, unless a response said {@code Connection: close} (then the
 * server closed it, and a new connection answers); no buffer leaks.
 */
class HttpPipelineFuzzTest {

    private static final String META = HttpWire.META_2026;
    private static final String[] VERSIONS = {"2025-03-26", "2025-06-18", "2025-11-25"};
    private static final String[] METHODS = {"POST", "DELETE", "PUT", "OPTIONS", "PATCH"};
    private static final String[] HEADERS = {"Mcp-Session-Id", "MCP-Protocol-Version", "Mcp-Method", "Mcp-Name",
            "Content-Type", "Accept", "Origin", "Last-Event-ID", "Expect"};
    private static final Set<Integer> STATUSES = Set.of(200, 202, 400, 403, 404, 405, 406, 408, 409, 413, 415, 417,
            431, 501, 503, 505);
    private static final Peregrine SERVER = start();

    private final Fuzzing.Rhythm rhythm = new Fuzzing.Rhythm();

    /** One request written, and what its response must be. */
    private static final class Sent {
        final String id;
        /** Well-formed: a 200 result with the id, unless the session may be gone. */
        final boolean wellFormed;
        final boolean inSession;
        /** The ids of a batch's members (null: not a batch). */
        final List<String> batch;

        Sent(String id, boolean wellFormed, boolean inSession, List<String> batch) {
            this.id = id;
            this.wellFormed = wellFormed;
            this.inSession = inSession;
            this.batch = batch;
        }
    }

    @FuzzTest(maxDuration = "30s")
    void everyRequestGetsOneResponse(byte[] data) throws IOException {
        try (SilentCloseable loopback = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("localhost") || host.startsWith("127.") || host.equals("::1"))) {
            run(data);
        }
        rhythm.afterInput();
    }

    private void run(byte[] data) throws IOException {
        String version = VERSIONS[(data.length == 0 ? 0 : data[0] & 0xFF) % VERSIONS.length];
        InetSocketAddress address = SERVER.addresses().http();
        String session = null;
        try (Socket socket = HttpWire.connect(address)) {
            OutputStream out = socket.getOutputStream();
            HttpWire wire = new HttpWire(socket.getInputStream());
            session = openSession(out, wire, version);

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            List<Sent> sent = new ArrayList<>();
            boolean raw = false;
            boolean deletes = false;
            int n = 0;
            String lines = data.length == 0 ? "" : new String(data, 1, data.length - 1, StandardCharsets.ISO_8859_1);
            for (String line : lines.split("\n", -1)) {
                if (line.isEmpty() && lines.isEmpty()) {
                    break;
                }
                String id = "fz-" + n;
                String request = line.startsWith("@") ? shaped(line, id, session, version, sent) : null;
                if (request != null) {
                    n++;
                    deletes |= request.startsWith("DELETE");
                    bytes.writeBytes(request.getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    raw = true;
                    bytes.writeBytes(line.getBytes(StandardCharsets.ISO_8859_1));
                    bytes.writeBytes(new byte[] {'\r', '\n'});
                }
            }
            String end = list("fz-end");
            bytes.writeBytes(end.getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes.toByteArray());
            out.flush();

            String context = new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
            wire.http10Sent(context.toUpperCase(java.util.Locale.ROOT).contains(" HTTP/1.0\r\n")); // the version's name is read in any case
            Map<String, Integer> answered = new HashMap<>();
            List<HttpWire.Response> responses = new ArrayList<>();
            boolean closing = false;
            boolean endAnswered = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            while (!endAnswered && System.nanoTime() < deadline) {
                HttpWire.Response r;
                try {
                    r = wire.read();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("no response and no close within 4 s; responses so far: " + responses
                            + "\nsent:\n" + context, e);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nresponses before: " + responses + "\nsent:\n" + context, e);
                }
                if (r == null) {
                    break;
                }
                responses.add(r);
                if (r.status == 101) {
                    closing = true; // switched protocols (a raw WebSocket upgrade): no more HTTP/1.1 here
                    break;
                }
                assertThat(STATUSES).as("status of %s\nsent:\n%s", r, context).contains(r.status);
                closing |= r.closes();
                for (JsonNode a : r.answers()) {
                    String aid = a.path("id").asText();
                    if (aid.startsWith("fz-")) {
                        assertThat(answered.merge(aid, 1, Integer::sum)).as("answers to %s\nsent:\n%s", aid, context).isEqualTo(1);
                    }
                    endAnswered |= aid.equals("fz-end");
                }
                if (closing) {
                    break;
                }
            }
            if (!raw && !closing) {
                assertThat(responses).as("one response per request, and the final one's\nsent:\n%s", context)
                        .hasSize(sent.size() + 1);
                for (int i = 0; i < sent.size(); i++) {
                    check(sent.get(i), responses.get(i), deletes, context);
                }
            }
            if (!closing) {
                assertThat(endAnswered).as("the final request is answered; responses: %s\nsent:\n%s", responses, context).isTrue();
            }
        }
        try (Socket socket = HttpWire.connect(address)) {
            // The server keeps serving; the session this input opened ends.
            OutputStream out = socket.getOutputStream();
            out.write((list("fz-after") + deleteText(session)).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            HttpWire wire = new HttpWire(socket.getInputStream());
            HttpWire.Response r = wire.read();
            assertThat(r).as("a new connection is answered").isNotNull();
            assertThat(r.answers()).hasSize(1);
            assertThat(r.answers().get(0).path("id").asText()).isEqualTo("fz-after");
            assertThat(wire.read()).isNotNull();
        }
    }

    private static void check(Sent s, HttpWire.Response r, boolean deletes, String context) {
        if (s.batch != null && r.status == 200) {
            List<JsonNode> answers = r.answers();
            List<String> ids = new ArrayList<>();
            answers.forEach(a -> ids.add(a.path("id").asText()));
            assertThat(ids).as("a batch's answers: %s\nsent:\n%s", r, context).containsExactlyInAnyOrderElementsOf(s.batch);
            return;
        }
        List<JsonNode> answers = r.answers();
        if (s.wellFormed && !(s.inSession && deletes)) {
            assertThat(r.status).as("%s\nsent:\n%s", r, context).isEqualTo(200);
            assertThat(answers).as("%s", r).hasSize(1);
            assertThat(answers.get(0).has("result")).as("%s", r).isTrue();
        }
        assertThat(answers.size()).as("answers in one response: %s", r).isLessThanOrEqualTo(1);
        if (s.id != null) {
            for (JsonNode a : answers) {
                JsonNode id = a.get("id");
                assertThat(id.isNull() || id.asText().equals(s.id)).as("the id of %s: %s\nsent:\n%s", s.id, r, context).isTrue();
                if (r.status == 200) {
                    assertThat(id.asText()).as("the id of %s: %s", s.id, r).isEqualTo(s.id);
                }
            }
        }
    }

    /** The request a shaped line stands for, noted in {@code sent}; null when the line is not one. */
    private static String shaped(String line, String id, String session, String version, List<Sent> sent) {
        String rest = line.length() > 2 ? line.substring(2) : "";
        switch (line.length() < 2 ? ' ' : line.charAt(1)) {
            case 'p':
                sent.add(new Sent(id, true, false, null));
                return list(id);
            case 'c': {
                if (rest.isEmpty()) {
                    return null;
                }
                int e = rest.charAt(0);
                String text = jsonString(rest.substring(1));
                if ((e & 1) == 0) {
                    sent.add(new Sent(id, true, true, null));
                    return HttpWire.post("{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                            + "\"arguments\":{\"message\":" + text + "}}}", "Mcp-Session-Id: " + session,
                            "MCP-Protocol-Version: " + version);
                }
                String name = (e & 2) == 0 ? "echo" : "=?base64?" + Base64.getEncoder().encodeToString("echo".getBytes(StandardCharsets.UTF_8)) + "?=";
                sent.add(new Sent(id, true, false, null));
                return modernEcho(id, text, name);
            }
            case 'n': {
                String b64 = HttpWire.clean(rest);
                String decoded = decodeBase64(b64);
                sent.add(new Sent(id, "echo".equals(decoded), false, null));
                return modernEcho(id, "\"n\"", "=?base64?" + b64 + "?=");
            }
            case 'B': {
                if (rest.isEmpty()) {
                    return null;
                }
                int k = 1 + rest.charAt(0) % 4;
                List<String> ids = new ArrayList<>();
                StringBuilder batch = new StringBuilder("[");
                for (int i = 0; i < k; i++) {
                    ids.add(id + "." + i);
                    batch.append(i == 0 ? "" : ",").append("{\"jsonrpc\":\"2.0\",\"id\":\"").append(id).append('.').append(i)
                            .append("\",\"method\":\"ping\"}");
                }
                // Only 2025-03-26 has batches; the later revisions refuse one with a single -32600.
                sent.add(new Sent(null, false, true, version.equals("2025-03-26") ? ids : null));
                return HttpWire.post(batch.append(']').toString(), "Mcp-Session-Id: " + session, "MCP-Protocol-Version: " + version);
            }
            case 'h': {
                if (rest.length() < 2) {
                    return null;
                }
                String method = METHODS[rest.charAt(0) % METHODS.length];
                String header = HEADERS[rest.charAt(1) % HEADERS.length] + ": " + HttpWire.clean(rest.substring(2));
                sent.add(new Sent(method.equals("POST") ? id : null, false, true, null));
                if (!method.equals("POST")) {
                    return method + " /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nMcp-Session-Id: " + session + "\r\n" + header
                            + "\r\nContent-Length: 0\r\n\r\n";
                }
                return HttpWire.request("POST", "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"ping\"}",
                        "Content-Type: application/json", "Accept: application/json, text/event-stream",
                        "Mcp-Session-Id: " + session, header);
            }
            case 'j':
                sent.add(new Sent(id, false, true, null));
                return HttpWire.post(rest, "Mcp-Session-Id: " + session, "MCP-Protocol-Version: " + version);
            case 'u': {
                String path = HttpWire.clean(rest).replace(' ', '+');
                if (path.isEmpty()) {
                    return null;
                }
                sent.add(new Sent(id, false, false, null));
                return HttpWire.request("POST", path, listBody(id), "Content-Type: application/json",
                        "Accept: application/json, text/event-stream", "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/list");
            }
            default:
                return null;
        }
    }

    /** Opens a session as a client of {@code version} does, and returns its id. */
    private static String openSession(OutputStream out, HttpWire wire, String version) throws IOException {
        out.write(HttpWire.post("{\"jsonrpc\":\"2.0\",\"id\":\"fz-init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        HttpWire.Response init = wire.read();
        assertThat(init).isNotNull();
        assertThat(init.status).as("%s", init).isEqualTo(200);
        String session = init.header("mcp-session-id");
        assertThat(session).as("%s", init).isNotNull();
        out.write(HttpWire.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", "Mcp-Session-Id: " + session,
                "MCP-Protocol-Version: " + version).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        assertThat(wire.read().status).isEqualTo(202);
        return session;
    }

    /** A 2026-07-28 {@code tools/list} (that revision has no ping), with its headers. */
    static String list(String id) {
        return HttpWire.post(listBody(id), "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/list");
    }

    static String listBody(String id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/list\",\"params\":{" + META + "}}";
    }

    private static String modernEcho(String id, String textJson, String name) {
        return HttpWire.post("{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                        + "\"arguments\":{\"message\":" + textJson + "}," + META + "}}",
                "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: " + name);
    }

    private static String deleteText(String session) {
        return "DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nMcp-Session-Id: " + session + "\r\nConnection: close\r\n\r\n";
    }

    /** Strict RFC 4648 base64 (standard alphabet, padded), as MCP asks of {@code =?base64?...?=}; null if not. */
    private static String decodeBase64(String b64) {
        if (b64.length() % 4 != 0 || !b64.matches("[A-Za-z0-9+/]*={0,2}")) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String jsonString(String latin1) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : latin1.toCharArray()) {
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

    private static Peregrine start() {
        LeakWatch.install();
        try {
            Peregrine server = Peregrine.builder()
                    .tool(EchoTool.create())
                    .maxBodyBytes(64 * 1024).requestReadTimeout(Duration.ofMillis(500))
                    .maxSessions(100_000).maxConcurrency(8)
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
