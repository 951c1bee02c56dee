package io.peregrine.testing;

import io.peregrine.rpc.JsonTree;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A plain blocking socket speaking newline-delimited JSON, for tests that must send exactly the
 * bytes they mean (malformed JSON, invalid UTF-8, oversized lines) and read exactly what comes back.
 */
public final class LineSocket implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final BufferedReader in;

    public LineSocket(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Sends {@code line} and a newline. */
    public LineSocket send(String line) throws IOException {
        return sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public LineSocket sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** The next line, or null at end of stream; fails after 10 s. */
    public String readLine() throws IOException {
        return in.readLine();
    }

    /** The next line as a JSON object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> readJson() throws IOException {
        String line = readLine();
        if (line == null) {
            throw new IOException("connection closed");
        }
        return (Map<String, Object>) JsonTree.parse(line);
    }

    /** Sends a request and reads one message back. */
    public Map<String, Object> call(String line) throws IOException {
        send(line);
        return readJson();
    }

    /** True when nothing arrives within {@code millis}. */
    public boolean silentFor(int millis) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            in.readLine();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(old);
        }
    }

    /** Performs the 2025 handshake with {@code version}; returns the initialize result. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> initialize(String version) throws IOException {
        Map<String, Object> response = call("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"" + version + "\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"line-socket\",\"version\":\"1\"}}}");
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return (Map<String, Object>) response.get("result");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
