package io.peregrine.testing;

import io.peregrine.Peregrine;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/** A session over WebSocket with the JDK's own client: one message per text frame. */
public final class WebSocketSession extends QueuedSession {

    private final Peregrine server;
    private final boolean owned;
    private final WebSocket socket;
    private volatile int closeCode = -1;
    private volatile String closeReason;
    private volatile String subprotocol;

    public WebSocketSession(Peregrine server, boolean owned, String path, String... subprotocols) {
        this.server = server;
        this.owned = owned;
        URI uri = URI.create("ws://127.0.0.1:" + server.addresses().http().getPort() + path);
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        this.socket = builder.buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    messages.add(partial.toString());
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closeCode = statusCode;
                closeReason = reason;
                messages.add(CLOSED);
                return null;
            }
        }).join();
        this.subprotocol = socket.getSubprotocol();
    }

    /** A session with the server's WebSocket endpoint at {@code /mcp}, offering the {@code mcp} subprotocol. */
    public WebSocketSession(Peregrine server, boolean owned) {
        this(server, owned, "/mcp", "mcp");
    }

    public String subprotocol() {
        return subprotocol;
    }

    public int closeCode() {
        return closeCode;
    }

    public String closeReason() {
        return closeReason;
    }

    public WebSocket socket() {
        return socket;
    }

    @Override
    public McpSession send(String line) {
        socket.sendText(line, true).join();
        return this;
    }

    @Override
    public McpSession sendBytes(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        return send(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
    }

    @Override
    String closeDetail() {
        return " (close code " + closeCode + ": " + closeReason + ")";
    }

    @Override
    public Peregrine server() {
        return server;
    }

    @Override
    public void close() {
        socket.abort();
        if (owned) {
            server.close();
        }
    }
}
