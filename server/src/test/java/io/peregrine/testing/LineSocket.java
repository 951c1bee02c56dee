package io.peregrine.testing;

import io.peregrine.Peregrine;
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
public final class LineSocket implements McpSession {

    private final Peregrine server;
    private final boolean owned;
    private final Socket socket;
    private final OutputStream out;
    private final BufferedReader in;

    public LineSocket(InetSocketAddress address) throws IOException {
        this(null, address, false);
    }

    /** A socket to {@code server}'s TCP listener; with {@code owned}, closing it closes the server too. */
    public LineSocket(Peregrine server, boolean owned) throws IOException {
        this(server, server.addresses().tcp(), owned);
    }

    private LineSocket(Peregrine server, InetSocketAddress address, boolean owned) throws IOException {
        this.server = server;
        this.owned = owned;
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Sends {@code line} and a newline. */
    @Override
    public LineSocket send(String line) throws IOException {
        return sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public LineSocket sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** The next line, or null at end of stream; fails after 10 s. */
    @Override
    public String readLine() throws IOException {
        return in.readLine();
    }

    /** The next line as a JSON object. */
    @SuppressWarnings("unchecked")
    @Override
    public Map<String, Object> readJson() throws IOException {
        String line = readLine();
        if (line == null) {
            throw new IOException("connection closed");
        }
        return (Map<String, Object>) JsonTree.parse(line);
    }


    /** True when nothing arrives within {@code millis}. */
    @Override
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

    @Override
    public Peregrine server() {
        return server;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        if (owned) {
            server.close();
        }
    }
}
