package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.peregrine.transport.MessageListener;

import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The 2025-era sessions of one HTTP listener, by {@code Mcp-Session-Id}. Ids are 256 random bits
 * from a {@link SecureRandom}, so they cannot be guessed; the number of sessions is bounded and
 * sessions unused for the idle timeout are ended by a periodic sweep.
 *
 * <p>With a session key ({@link StreamableHttpSettings#seal}) an id is instead the client's
 * {@code initialize} parameters sealed ({@link SessionSeal}): an id this listener does not hold
 * but that opens under the key is a session another replica (or this one, before an idle sweep)
 * started, and is taken up here as if initialized. An id ended by DELETE is remembered here until
 * it could no longer open anyway, so that it stays ended on this replica.
 */
final class HttpSessions {

    /** The longest sealed id issued; beyond it (huge client capabilities) the id stays random and local. */
    static final int MAX_SEALED_ID_CHARS = 4096;

    private final ConcurrentHashMap<String, HttpSession> byId = new ConcurrentHashMap<>();
    /** Sealed ids ended by DELETE, with when they expire anyway (epoch millis). */
    private final ConcurrentHashMap<String, Long> deleted = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final MessageListener listener;
    private final StreamableHttpSettings settings;
    private volatile ScheduledFuture<?> sweeper;

    HttpSessions(MessageListener listener, StreamableHttpSettings settings) {
        this.listener = listener;
        this.settings = settings;
    }

    /**
     * A new session started by {@code initialize}, whose body is {@code message}; null when
     * {@code maxSessions} are open even after ending idle ones.
     */
    HttpSession create(EventExecutor executor, ByteBufAllocator alloc, SocketAddress remote, ByteBuf message) {
        if (!hasRoom(executor)) {
            return null;
        }
        String id = settings.seal != null ? sealedId(message) : null;
        if (id == null) {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
        HttpSession s = new HttpSession(id, listener, this, executor, alloc, remote, settings.replayEvents);
        byId.put(id, s);
        return s;
    }

    /**
     * The session {@code id} names: one held here, or one sealed under this listener's key and
     * taken up now; null when there is none (unknown, forged, foreign, expired, ended, or no room).
     */
    HttpSession get(String id, EventExecutor executor, ByteBufAllocator alloc, SocketAddress remote) {
        HttpSession s = byId.get(id);
        if (s == null && settings.seal != null) {
            s = takeUp(id, executor, alloc, remote);
        }
        if (s != null) {
            s.touch();
        }
        return s;
    }

    /** Ends {@code session} at the client's request (DELETE): a sealed id stays ended here until it expires. */
    void delete(HttpSession session) {
        if (settings.seal != null) {
            if (deleted.size() >= settings.maxSessions) {
                forgetExpiredDeletions();
            }
            // Bounded like the sessions (http.max-sessions): when full of ids not yet expired, this one is
            // not remembered, and opens here again as it does on the other replicas.
            if (deleted.size() < settings.maxSessions) {
                deleted.put(session.id, System.currentTimeMillis() + settings.seal.maxAgeMillis());
            }
        }
        session.close();
    }

    private boolean hasRoom(EventExecutor executor) {
        startSweeping(executor);
        if (byId.size() >= settings.maxSessions) {
            sweep();
        }
        return byId.size() < settings.maxSessions;
    }

    private String sealedId(ByteBuf initialize) {
        byte[] state = SealedSessionState.of(initialize);
        if (state == null) {
            return null;
        }
        String id = settings.seal.seal(state, System.currentTimeMillis());
        return id.length() <= MAX_SEALED_ID_CHARS ? id : null;
    }

    private HttpSession takeUp(String id, EventExecutor executor, ByteBufAllocator alloc, SocketAddress remote) {
        if (deleted.containsKey(id)) {
            return null;
        }
        byte[] state = settings.seal.unseal(id, System.currentTimeMillis());
        if (state == null || !hasRoom(executor)) {
            return null;
        }
        HttpSession s = new HttpSession(id, listener, this, executor, alloc, remote, settings.replayEvents);
        HttpSession raced = byId.putIfAbsent(id, s);
        if (raced != null) {
            return raced;
        }
        listener.onOpen(s);
        SealedSessionState.replay(state, s, listener);
        return s;
    }

    private void forgetExpiredDeletions() {
        long now = System.currentTimeMillis();
        deleted.values().removeIf(expiry -> expiry < now);
    }

    void remove(HttpSession session) {
        byId.remove(session.id, session);
    }

    private void startSweeping(EventExecutor executor) {
        if (sweeper == null) {
            synchronized (this) {
                if (sweeper == null) {
                    long period = Math.max(1_000, Math.min(60_000, settings.sessionIdleTimeoutMillis / 4));
                    sweeper = executor.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /** Ends the sessions idle for longer than the timeout and with no stream connected. */
    void sweep() {
        forgetExpiredDeletions();
        long cutoff = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(settings.sessionIdleTimeoutMillis);
        for (HttpSession s : byId.values()) {
            if (s.lastUsedNanos() - cutoff < 0 && !s.hasConnectedStream()) {
                s.close();
            }
        }
    }

    /** Ends every session (server shutdown). */
    void closeAll() {
        ScheduledFuture<?> f = sweeper;
        if (f != null) {
            f.cancel(false);
        }
        List<HttpSession> all = new ArrayList<>(byId.values());
        for (HttpSession s : all) {
            s.close();
        }
    }
}
