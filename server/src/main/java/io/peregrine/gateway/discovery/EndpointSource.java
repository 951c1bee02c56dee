package io.peregrine.gateway.discovery;

import java.util.List;

/**
 * Where an upstream's endpoints come from while the gateway runs: a static list, DNS, Consul or
 * etcd. A source tells its listener the whole list of target URLs each time it changes; a source
 * whose lookups fail keeps quiet (the upstream keeps the last list it heard), so a hiccup in
 * discovery never empties an upstream.
 */
public interface EndpointSource extends AutoCloseable {

    /** Hears an upstream's endpoints, the whole list each time it changes. */
    @FunctionalInterface
    interface Listener {
        /** The endpoints now: target URLs such as {@code http://10.0.0.7:9001/mcp}. */
        void endpoints(List<String> targets);
    }

    /** Starts looking; the listener may be called from the source's own thread, once per change. */
    void start(Listener listener);

    /** Stops looking; the listener is not called afterwards. */
    @Override
    void close();
}
