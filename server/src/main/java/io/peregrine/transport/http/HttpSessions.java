package io.peregrine.transport.http;

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
 */
final class HttpSessions {

    private final ConcurrentHashMap<String, HttpSession> byId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final MessageListener listener;
    private final StreamableHttpSettings settings;
    private volatile ScheduledFuture<?> sweeper;

    HttpSessions(MessageListener listener, StreamableHttpSettings settings) {
        this.listener = listener;
        this.settings = settings;
    }

    /** A new session, or null when {@code maxSessions} are open even after ending idle ones. */
    HttpSession create(EventExecutor executor, ByteBufAllocator alloc, SocketAddress remote) {
        startSweeping(executor);
        if (byId.size() >= settings.maxSessions) {
            sweep();
            if (byId.size() >= settings.maxSessions) {
                return null;
            }
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        HttpSession s = new HttpSession(id, listener, this, executor, alloc, remote, settings.replayEvents);
        byId.put(id, s);
        return s;
    }

    HttpSession get(String id) {
        HttpSession s = byId.get(id);
        if (s != null) {
            s.touch();
        }
        return s;
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
