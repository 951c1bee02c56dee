package io.peregrine.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A strict reader of the HTTP/1.1 responses the fuzz targets get back: a response that does not
 * follow RFC 9112 (status line, header lines, a body delimited by its length, by chunks or by the
 * end of the connection) fails the target, and so does a JSON body or SSE event that does not
 * parse. The JSON-RPC messages a response carries (a JSON body, an array of them, or the data of
 * SSE events) are collected for the targets' own checks.
 */
final class HttpWire {

    /** The {@code _meta} member of a 2026-07-28 request (protocol version and client capabilities). */
    static final String META_2026 = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}}";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 [1-5][0-9][0-9] [\\x20-\\x7e]*");
    /** Once an HTTP/1.0 request was sent: the server answers a request in its own version. */
    private static final Pattern STATUS_LINE_1_0_OR_1_1 = Pattern.compile("HTTP/1\\.[01] [1-5][0-9][0-9] [\\x20-\\x7e]*");

    /** One response as read. */
    static final class Response {
        final int status;
        final Map<String, String> headers;
        final String body;
        /** The JSON-RPC messages of the body: a JSON object, the members of an array, or SSE events' data. */
        final List<JsonNode> messages;
        /** The SSE event ids, in order, when the body is an event stream. */
        final List<String> eventIds;
        /** An HTTP/1.0 response (to an HTTP/1.0 request): the connection ends after it unless it says keep-alive. */
        final boolean http10;

        Response(int status, Map<String, String> headers, String body, List<JsonNode> messages, List<String> eventIds,
                 boolean http10) {
            this.http10 = http10;
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.messages = messages;
            this.eventIds = eventIds;
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        boolean closes() {
            String c = header("connection");
            if (http10) {
                return c == null || !c.toLowerCase(Locale.ROOT).contains("keep-alive");
            }
            return c != null && c.toLowerCase(Locale.ROOT).contains("close");
        }

        /** The answers among the messages (a result or an error), each checked to be a JSON-RPC 2.0 response. */
        List<JsonNode> answers() {
            List<JsonNode> answers = new ArrayList<>();
            for (JsonNode m : messages) {
                if (m.has("method")) {
                    continue; // a notification or a request of the server
                }
                checkAnswer(m, this);
                answers.add(m);
            }
            return answers;
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    private final InputStream in;

    /** A POST to /mcp of {@code body} with the headers a conforming client sends, and {@code headers}. */
    static String post(String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type: application/json";
        all[1] = "Accept: application/json, text/event-stream";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return request("POST", "/mcp", body, all);
    }

    /** A request whose body is the UTF-8 of {@code body}, as Latin-1 text (one char a byte) for the wire. */
    static String request(String method, String path, String body, String... headers) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder r = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        return r.append("Content-Length: ").append(b.length).append("\r\n\r\n")
                .append(new String(b, StandardCharsets.ISO_8859_1)).toString();
    }

    /** The value without the bytes that would end a header line or that HTTP forbids in one. */
    static String clean(String value) {
        StringBuilder b = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c >= 0x20 && c != 0x7f) {
                b.append(c);
            }
        }
        return b.toString().strip();
    }

    /** A loopback connection with a 4 s read timeout, so that a missing answer fails instead of hanging. */
    static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(4_000);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Whether what was sent holds an HTTP/1.0 request, whose response may then say HTTP/1.0. */
    private boolean http10Sent;

    /** Says whether what was sent holds an HTTP/1.0 request (answered as HTTP/1.0, closing unless kept alive). */
    HttpWire http10Sent(boolean sent) {
        this.http10Sent = sent;
        return this;
    }

    HttpWire(InputStream in) {
        this.in = in;
    }

    /**
     * The next final response (interim 100 Continue responses are skipped); null when the
     * connection ended before its first byte.
     */
    Response read() throws IOException {
        while (true) {
            String statusLine = line();
            if (statusLine == null) {
                return null;
            }
            assertThat(statusLine).as("status line").matches(http10Sent ? STATUS_LINE_1_0_OR_1_1 : STATUS_LINE);
            boolean http10 = statusLine.startsWith("HTTP/1.0");
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            String l;
            while (true) {
                l = line();
                if (l == null) {
                    throw new AssertionError("the connection ended inside the head of a " + status + " response: " + headers);
                }
                if (l.isEmpty()) {
                    break;
                }
                int colon = l.indexOf(':');
                assertThat(colon).as("header line %s", l).isPositive();
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            if (status == 100) {
                continue;
            }
            if (status == 101 || status == 204 || status == 304) {
                return new Response(status, headers, "", List.of(), List.of(), http10);
            }
            String body = body(status, headers);
            String type = headers.getOrDefault("content-type", "");
            List<String> eventIds = new ArrayList<>();
            List<JsonNode> messages = new ArrayList<>();
            if (type.startsWith("application/json")) {
                JsonNode node = parse(body, status + " " + headers);
                for (JsonNode m : node.isArray() ? node : List.of(node)) {
                    assertThat(m.isObject()).as("a JSON-RPC message: %s", body).isTrue();
                    messages.add(m);
                }
            } else if (type.startsWith("text/event-stream")) {
                events(body, messages, eventIds);
            }
            return new Response(status, headers, body, messages, eventIds, http10);
        }
    }

    private String body(int status, Map<String, String> headers) throws IOException {
        String length = headers.get("content-length");
        if (length != null) {
            assertThat(length).as("Content-Length").matches("[0-9]{1,9}");
            byte[] b = in.readNBytes(Integer.parseInt(length));
            assertThat(b.length).as("body of a %s response: the connection ended early", status).isEqualTo(Integer.parseInt(length));
            return new String(b, StandardCharsets.UTF_8);
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = line();
                if (size == null) {
                    throw new AssertionError("the connection ended inside the chunked body of a " + status + " response: "
                            + body.toString(StandardCharsets.UTF_8));
                }
                assertThat(size).as("chunk size").matches("[0-9a-fA-F]{1,8}");
                int n = Integer.parseInt(size, 16);
                if (n == 0) {
                    assertThat(line()).as("end of the chunked body").isEmpty();
                    return body.toString(StandardCharsets.UTF_8);
                }
                byte[] chunk = in.readNBytes(n);
                assertThat(chunk.length).as("chunk of %s bytes", n).isEqualTo(n);
                body.writeBytes(chunk);
                assertThat(line()).as("end of a chunk").isEmpty();
            }
        }
        assertThat(headers.getOrDefault("connection", "")).as("a body without length or chunks ends with the connection")
                .containsIgnoringCase("close");
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The SSE events of {@code body}: ids in order, and every non-empty data parsed as one JSON-RPC message. */
    static void events(String body, List<JsonNode> messages, List<String> eventIds) {
        for (String event : body.split("\n\n")) {
            StringBuilder data = new StringBuilder();
            for (String l : event.split("\n")) {
                if (l.startsWith("id: ")) {
                    eventIds.add(l.substring(4));
                } else if (l.startsWith("data: ")) {
                    data.append(l, 6, l.length());
                } else if (l.startsWith("data:")) {
                    data.append(l, 5, l.length());
                } else {
                    assertThat(l.isEmpty() || l.startsWith(":") || l.startsWith("event: ") || l.startsWith("retry: "))
                            .as("an SSE line: %s", l).isTrue();
                }
            }
            if (data.length() > 0 && !data.toString().isBlank()) {
                JsonNode m = parse(data.toString(), "SSE event");
                assertThat(m.isObject()).as("SSE data: %s", data).isTrue();
                messages.add(m);
            }
        }
    }

    static JsonNode parse(String text, String what) {
        try {
            JsonNode node = JSON.readTree(text);
            assertThat(node).as("JSON of %s: %s", what, text).isNotNull();
            return node;
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + what + "): " + text, e);
        }
    }

    /** A JSON-RPC 2.0 response: {@code result} or {@code error} (integer code, a message). */
    static void checkAnswer(JsonNode answer, Object context) {
        assertThat(answer.path("jsonrpc").asText()).as("%s", context).isEqualTo("2.0");
        assertThat(answer.has("id")).as("an answer has an id: %s", context).isTrue();
        assertThat(answer.has("result") ^ answer.has("error")).as("result or error: %s", context).isTrue();
        if (answer.has("error")) {
            assertThat(answer.path("error").path("code").isInt()).as("%s", context).isTrue();
            assertThat(answer.path("error").path("message").asText()).as("%s", context).isNotBlank();
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                assertThat(s).as("HTTP lines end with CRLF").endsWith("\r");
                return s.substring(0, s.length() - 1);
            }
            b.write(c);
            assertThat(b.size()).as("a line of the response head").isLessThan(64 * 1024);
        }
        assertThat(b.size()).as("the connection ended inside a line: %s", b.toString(StandardCharsets.ISO_8859_1)).isZero();
        return null;
    }
}
