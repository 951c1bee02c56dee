package io.peregrine.transport.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Peer;
import io.peregrine.transport.Transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * What a sealed session id carries: the client's {@code initialize} parameters
 * ({@code protocolVersion}, {@code capabilities}, {@code clientInfo}), compact JSON. That is all a
 * replica needs to serve the session: it replays {@code initialize} and
 * {@code notifications/initialized} to its protocol layer, which negotiates the same version the
 * first replica did and keeps the same client capabilities, and answers the session's requests.
 * The gateway keeps no other state per session: its upstream clients are per endpoint, and
 * {@code hash-key: session} hashes the {@code Mcp-Session-Id} itself, the same on every replica.
 */
final class SealedSessionState {

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final byte[] INITIALIZE_HEAD =
            "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INITIALIZED =
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(StandardCharsets.US_ASCII);

    private SealedSessionState() {
    }

    /** The state to seal from the {@code initialize} request {@code message}; null when it has no params object. */
    static byte[] of(ByteBuf message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonParser p = JSON.createParser((java.io.InputStream) new ByteBufInputStream(message.duplicate()));
             JsonGenerator g = JSON.createGenerator(out)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("params") && value == JsonToken.START_OBJECT) {
                    g.writeStartObject();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        p.nextToken();
                        if (field.equals("protocolVersion") || field.equals("capabilities") || field.equals("clientInfo")) {
                            g.writeFieldName(field);
                            g.copyCurrentStructure(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                    g.writeEndObject();
                    g.flush();
                    return out.toByteArray();
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null; // not JSON the protocol layer will accept either; the session stays local
        }
    }

    /**
     * Takes up {@code session} on this replica from its sealed {@code state}: {@code initialize} and
     * {@code notifications/initialized} go to the protocol layer as the client once sent them, and
     * their answers go nowhere (the client had them from the replica that started the session).
     */
    static void replay(byte[] state, HttpSession session, MessageListener listener) {
        Peer quiet = new Replay(session);
        byte[] initialize = new byte[INITIALIZE_HEAD.length + state.length + 1];
        System.arraycopy(INITIALIZE_HEAD, 0, initialize, 0, INITIALIZE_HEAD.length);
        System.arraycopy(state, 0, initialize, INITIALIZE_HEAD.length, state.length);
        initialize[initialize.length - 1] = '}';
        listener.onMessage(quiet, Unpooled.wrappedBuffer(initialize));
        listener.onMessage(quiet, Unpooled.wrappedBuffer(INITIALIZED.clone()));
    }

    /** A peer of the session whose answers are dropped. */
    private static final class Replay implements Peer {

        private final HttpSession session;

        Replay(HttpSession session) {
            this.session = session;
        }

        @Override
        public ByteBufAllocator alloc() {
            return session.alloc();
        }

        @Override
        public EventExecutor executor() {
            return session.executor();
        }

        @Override
        public void send(ByteBuf message) {
            message.release();
        }

        @Override
        public String sessionId() {
            return session.id;
        }

        @Override
        public void pauseReading(boolean paused) {
        }

        @Override
        public Object attachment() {
            return session.attachment();
        }

        @Override
        public void attach(Object attachment) {
            session.attach(attachment);
        }

        @Override
        public SocketAddress remoteAddress() {
            return session.remoteAddress();
        }

        @Override
        public Transport transport() {
            return Transport.HTTP;
        }

        @Override
        public boolean isOpen() {
            return session.isOpen();
        }

        @Override
        public Future<?> close() {
            return session.close();
        }
    }
}
