package io.peregrine.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for tests that must send exactly the bytes they mean (wrong
 * headers, bodies that never end, pipelined requests) and read exactly what comes back, SSE
 * streams included.
 */
public final class RawHttp implements AutoCloseable {

    /** One response: status, headers (lower-case names), and the body when it has an end. */
    public static final class Response {
        public final int status;
        public final Map<String, String> headers;
        public final String body;

        Response(int status, Map<String, String> headers, String body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public RawHttp(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    public Socket socket() {
        return socket;
    }

    /** Writes raw bytes. */
    public RawHttp write(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    /** Writes a POST of {@code body} to {@code path} with the given extra header lines ("Name: value"). */
    public RawHttp post(String path, String body, String... headers) throws IOException {
        return write(postText(path, body, headers));
    }

    /**
     * The text of a POST of {@code body} to {@code path} with the given extra header lines, for
     * tests that write several requests at once (pipelined in one write).
     */
    public static String postText(String path, String body, String... headers) {
        StringBuilder b = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n")
                .append(body).toString();
    }

    /** A POST with the headers a conforming client sends, plus {@code headers}. */
    public RawHttp postJson(String path, String body, String... headers) throws IOException {
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type: application/json";
        all[1] = "Accept: application/json, text/event-stream";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return post(path, body, all);
    }

    /** Writes a bodiless request. */
    public RawHttp request(String method, String path, String... headers) throws IOException {
        StringBuilder b = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        b.append("\r\n");
        return write(b.toString());
    }

    /** Reads one whole response (a fixed-length or chunked body; an SSE stream is read to its end). */
    public Response read() throws IOException {
        Response head = readHead();
        String length = head.header("content-length");
        if (length != null) {
            return new Response(head.status, head.headers, new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8));
        }
        if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            String chunk;
            while ((chunk = nextChunk()) != null) {
                body.writeBytes(chunk.getBytes(StandardCharsets.UTF_8));
            }
            return new Response(head.status, head.headers, body.toString(StandardCharsets.UTF_8));
        }
        return new Response(head.status, head.headers, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Reads a status line and headers, leaving the body unread. */
    public Response readHead() throws IOException {
        String status = line();
        if (status == null) {
            throw new IOException("connection closed before a response");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, null);
    }

    /** The next chunk of a chunked body as text; null at the last chunk. */
    public String nextChunk() throws IOException {
        String size = line();
        if (size == null) {
            throw new IOException("connection closed inside a chunked body");
        }
        int n = Integer.parseInt(size.trim(), 16);
        if (n == 0) {
            line();
            return null;
        }
        String chunk = new String(in.readNBytes(n), StandardCharsets.UTF_8);
        line();
        return chunk;
    }

    /** True when the server closed the connection (reading returns end of stream within the timeout). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
