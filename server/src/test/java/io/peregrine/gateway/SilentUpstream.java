package io.peregrine.gateway;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream that accepts connections and then never answers a call: a raw socket speaking
 * newline-delimited JSON-RPC that completes the handshake ({@code initialize}, {@code tools/list}
 * of one tool, {@code ping}) so that the gateway counts it as up, reads every other request and
 * never writes a byte in reply (the way a wedged process or a black-holed network behaves).
 * {@link #answering} makes one that answers every {@code tools/call} with the same bytes, written
 * exactly as given: a server other than Peregrine, whose JSON no Peregrine code wrote.
 */
final class SilentUpstream implements AutoCloseable {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\"[^\"]*\"|-?\\d+)");
    private static final Pattern METHOD = Pattern.compile("\"method\"\\s*:\\s*\"([^\"]+)\"");

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Requests it swallowed, and cancellations it heard. */
    final java.util.concurrent.atomic.AtomicInteger swallowed = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger cancelled = new java.util.concurrent.atomic.AtomicInteger();

    /** The result every tools/call gets, or null for none. */
    private final String callResult;

    SilentUpstream() throws Exception {
        this(null);
    }

    private SilentUpstream(String callResult) throws Exception {
        this.callResult = callResult;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "silent-upstream");
        t.setDaemon(true);
        t.start();
    }

    /** An upstream that answers every {@code tools/call} with {@code result}, the JSON text of a result. */
    static SilentUpstream answering(String result) throws Exception {
        return new SilentUpstream(result);
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "silent-upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (Exception e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            OutputStream out = s.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                Matcher m = METHOD.matcher(line);
                Matcher id = ID.matcher(line);
                String method = m.find() ? m.group(1) : "";
                if (!id.find()) {
                    if (method.equals("notifications/cancelled")) {
                        cancelled.incrementAndGet();
                    }
                    continue;
                }
                String result;
                switch (method) {
                    case "initialize":
                        result = "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},"
                                + "\"serverInfo\":{\"name\":\"silent\",\"version\":\"1\"}}";
                        break;
                    case "tools/list":
                        result = "{\"tools\":[{\"name\":\"lookup\",\"inputSchema\":{\"type\":\"object\"},"
                                + "\"annotations\":{\"readOnlyHint\":true}}]}";
                        break;
                    case "ping":
                        result = "{}";
                        break;
                    case "tools/call":
                        if (callResult != null) {
                            result = callResult;
                            break;
                        }
                        swallowed.incrementAndGet();
                        continue;
                    default:
                        swallowed.incrementAndGet();
                        continue;
                }
                out.write(("{\"jsonrpc\":\"2.0\",\"id\":" + id.group(1) + ",\"result\":" + result + "}\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (Exception e) {
            // The gateway went away.
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
