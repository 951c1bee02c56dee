package io.peregrine;

import io.peregrine.mcp.McpObserver;
import io.peregrine.transport.Transport;

import java.util.concurrent.atomic.LongAdder;

/**
 * Connections and 2025-era sessions open right now, counted from the core's events for the
 * verbose health report: an {@link McpObserver} every server installs on its core. Adders rather than one atomic counter: the events come from every I/O
 * thread, and a probe reading the sum now and then is the rare side.
 */
final class LiveCounts implements McpObserver {

    private final LongAdder connections = new LongAdder();
    private final LongAdder sessions = new LongAdder();

    @Override
    public void connectionOpened(Transport transport) {
        connections.increment();
    }

    @Override
    public void connectionClosed(Transport transport) {
        connections.decrement();
    }

    @Override
    public void sessionStarted(Transport transport) {
        sessions.increment();
    }

    @Override
    public void sessionEnded(Transport transport, long durationNanos) {
        sessions.decrement();
    }

    long connections() {
        return connections.sum();
    }

    long sessions() {
        return sessions.sum();
    }
}
