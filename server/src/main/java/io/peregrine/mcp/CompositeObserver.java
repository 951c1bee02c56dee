package io.peregrine.mcp;

import io.peregrine.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The observers a server has, as one: each event goes to every observer in the order they were
 * installed, and what an observer throws is logged and dropped, so that a faulty observer costs a
 * log line, never a request. The core calls only this, never an observer directly.
 *
 * <p>The states {@link McpObserver#requestStarted} returns are kept per observer: when one
 * observer watches starts its state is handed through as is; when several do they share an array,
 * the one allocation observing can cost per request.
 */
final class CompositeObserver implements McpObserver {

    private static final Logger log = LoggerFactory.getLogger(CompositeObserver.class);

    private final McpObserver[] all;
    /** The observers that watch starts, and where each one's state sits. */
    private final McpObserver[] starting;
    private final boolean observesStart;

    private CompositeObserver(McpObserver[] all) {
        this.all = all;
        List<McpObserver> s = new ArrayList<>();
        for (McpObserver o : all) {
            if (o.observesStart()) {
                s.add(o);
            }
        }
        this.starting = s.toArray(new McpObserver[0]);
        this.observesStart = starting.length > 0;
    }

    /**
     * {@code current} with {@code added} after it; {@link McpObserver#NONE} when neither observes
     * anything.
     */
    static McpObserver compose(McpObserver current, McpObserver added) {
        List<McpObserver> list = new ArrayList<>();
        for (McpObserver o : new McpObserver[] {current, added}) {
            if (o instanceof CompositeObserver) {
                list.addAll(List.of(((CompositeObserver) o).all));
            } else if (o != null && o != NONE) {
                list.add(o);
            }
        }
        return list.isEmpty() ? NONE : new CompositeObserver(list.toArray(new McpObserver[0]));
    }

    @Override
    public boolean observesStart() {
        return observesStart;
    }

    @Override
    public Object requestStarted(ObservedRequest request) {
        if (starting.length == 1) {
            return start(starting[0], request);
        }
        Object[] states = new Object[starting.length];
        for (int i = 0; i < starting.length; i++) {
            states[i] = start(starting[i], request);
        }
        return states;
    }

    private static Object start(McpObserver o, ObservedRequest request) {
        try {
            return o.requestStarted(request);
        } catch (Throwable t) {
            log.warn("observer {} failed in requestStarted", o, t);
            return null;
        }
    }

    /** The state {@code o} returned from {@link #requestStarted}, out of what this composite returned. */
    private Object stateOf(McpObserver o, Object state) {
        if (state == null || starting.length == 0) {
            return null;
        }
        if (starting.length == 1) {
            return starting[0] == o ? state : null;
        }
        for (int i = 0; i < starting.length; i++) {
            if (starting[i] == o) {
                return ((Object[]) state)[i];
            }
        }
        return null;
    }

    @Override
    public void requestEnded(ObservedRequest request, Object state, int errorCode, boolean toolError,
                             boolean answered, long durationNanos) {
        for (McpObserver o : all) {
            try {
                o.requestEnded(request, stateOf(o, state), errorCode, toolError, answered, durationNanos);
            } catch (Throwable t) {
                log.warn("observer {} failed in requestEnded", o, t);
            }
        }
    }

    @Override
    public Runnable wrap(Object state, Runnable task) {
        Runnable wrapped = task;
        for (int i = starting.length - 1; i >= 0; i--) {
            McpObserver o = starting[i];
            try {
                wrapped = o.wrap(stateOf(o, state), wrapped);
            } catch (Throwable t) {
                log.warn("observer {} failed in wrap", o, t);
            }
        }
        return wrapped;
    }

    @Override
    public void connectionOpened(Transport transport) {
        for (McpObserver o : all) {
            try {
                o.connectionOpened(transport);
            } catch (Throwable t) {
                log.warn("observer {} failed in connectionOpened", o, t);
            }
        }
    }

    @Override
    public void connectionClosed(Transport transport) {
        for (McpObserver o : all) {
            try {
                o.connectionClosed(transport);
            } catch (Throwable t) {
                log.warn("observer {} failed in connectionClosed", o, t);
            }
        }
    }

    @Override
    public void sessionStarted(Transport transport) {
        for (McpObserver o : all) {
            try {
                o.sessionStarted(transport);
            } catch (Throwable t) {
                log.warn("observer {} failed in sessionStarted", o, t);
            }
        }
    }

    @Override
    public void sessionEnded(Transport transport, long durationNanos) {
        for (McpObserver o : all) {
            try {
                o.sessionEnded(transport, durationNanos);
            } catch (Throwable t) {
                log.warn("observer {} failed in sessionEnded", o, t);
            }
        }
    }

    @Override
    public void messageRejected(Transport transport, Rejection reason) {
        for (McpObserver o : all) {
            try {
                o.messageRejected(transport, reason);
            } catch (Throwable t) {
                log.warn("observer {} failed in messageRejected", o, t);
            }
        }
    }

    @Override
    public void rateLimitDecision(String limiter, boolean admitted) {
        for (McpObserver o : all) {
            try {
                o.rateLimitDecision(limiter, admitted);
            } catch (Throwable t) {
                log.warn("observer {} failed in rateLimitDecision", o, t);
            }
        }
    }

    @Override
    public void cacheLookup(String cache, boolean hit) {
        for (McpObserver o : all) {
            try {
                o.cacheLookup(cache, hit);
            } catch (Throwable t) {
                log.warn("observer {} failed in cacheLookup", o, t);
            }
        }
    }

    @Override
    public String toString() {
        return "CompositeObserver" + List.of(all);
    }
}
