package io.peregrine.testing;

import io.peregrine.Peregrine;

import java.io.IOException;
import java.util.Map;

/**
 * One client session with a server over some transport, at the level of lines of JSON: what the
 * transport test kit drives, whatever carries the bytes.
 */
public interface McpSession extends AutoCloseable {

    /** Sends {@code line} as one message. */
    McpSession send(String line) throws IOException;

    /** Sends raw bytes, newline included, for malformed input. */
    McpSession sendBytes(byte[] bytes) throws IOException;

    /** The next message, or null when the session ended; fails after 10 s. */
    String readLine() throws IOException;

    /** The next message as a JSON object. */
    Map<String, Object> readJson() throws IOException;

    /** Sends a request and reads one message back. */
    default Map<String, Object> call(String line) throws IOException {
        send(line);
        return readJson();
    }

    /** True when nothing arrives within {@code millis}. */
    boolean silentFor(int millis) throws IOException;

    /** The 2025 handshake with {@code version}; returns the initialize result. */
    default Map<String, Object> initialize(String version) throws IOException {
        return initialize(version, "{}");
    }

    /** The 2025 handshake with {@code version}, declaring {@code capabilities} (JSON); returns the initialize result. */
    @SuppressWarnings("unchecked")
    default Map<String, Object> initialize(String version, String capabilities) throws IOException {
        Map<String, Object> response = call("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"" + version + "\",\"capabilities\":" + capabilities + ","
                + "\"clientInfo\":{\"name\":\"kit\",\"version\":\"1\"}}}");
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return (Map<String, Object>) response.get("result");
    }

    /** The server this session talks to. */
    Peregrine server();

    @Override
    void close() throws IOException;
}
