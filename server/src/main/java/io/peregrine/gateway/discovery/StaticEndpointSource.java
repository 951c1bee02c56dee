package io.peregrine.gateway.discovery;

import java.util.List;

/** The comma-separated {@code url} list: told once, never changes. */
public final class StaticEndpointSource implements EndpointSource {

    private final List<String> targets;

    public StaticEndpointSource(List<String> targets) {
        this.targets = List.copyOf(targets);
    }

    @Override
    public void start(Listener listener) {
        listener.endpoints(targets);
    }

    @Override
    public void close() {
    }
}
