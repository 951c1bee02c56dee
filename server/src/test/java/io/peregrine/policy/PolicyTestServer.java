package io.peregrine.policy;

import io.peregrine.Peregrine;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Servers and clients for the policy tests: real sockets on loopback. */
final class PolicyTestServer {

    private PolicyTestServer() {
    }

    static Tool tool(String name) {
        return Tool.builder(name)
                .inputSchema("{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}}}")
                .blocking(false)
                .handler((args, ctx) -> ToolResult.text(name + ":" + args.string("message", "")))
                .build();
    }

    static Peregrine start(PolicyChain policy, Tool... tools) throws InterruptedException {
        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0).policy(policy)
                .drainTimeout(java.time.Duration.ZERO);
        for (Tool t : tools) {
            b.tool(t);
        }
        Peregrine server = b.build();
        server.start();
        return server;
    }

    /** A WebSocket session opened with the JDK client, with an Authorization header when given. */
    static final class Ws implements AutoCloseable {
        final WebSocket socket;
        final LinkedBlockingQueue<String> messages;

        Ws(WebSocket socket, LinkedBlockingQueue<String> messages) {
            this.socket = socket;
            this.messages = messages;
        }

        static CompletableFuture<Ws> open(String uri, String authorization) {
            LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
            WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mcp");
            if (authorization != null) {
                builder.header("Authorization", authorization);
            }
            return builder.buildAsync(URI.create(uri), new WebSocket.Listener() {
                private final StringBuilder partial = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        queue.add(partial.toString());
                        partial.setLength(0);
                    }
                    ws.request(1);
                    return null;
                }
            }).thenApply(ws -> new Ws(ws, queue));
        }

        /** Sends one message and waits for the next one. */
        String request(String json) throws Exception {
            socket.sendText(json, true).get(5, TimeUnit.SECONDS);
            String answer = messages.poll(5, TimeUnit.SECONDS);
            if (answer == null) {
                throw new AssertionError("no answer to " + json);
            }
            return answer;
        }

        @Override
        public void close() {
            socket.abort();
        }

        /** The handshake response of a refused upgrade. */
        static java.net.http.HttpResponse<?> refusal(String uri, String authorization) {
            try {
                Ws ws = open(uri, authorization).join();
                ws.close();
                throw new AssertionError("the upgrade was accepted");
            } catch (CompletionException e) {
                if (e.getCause() instanceof WebSocketHandshakeException) {
                    return ((WebSocketHandshakeException) e.getCause()).getResponse();
                }
                throw e;
            }
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
