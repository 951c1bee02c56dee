package io.peregrine.loadtest;

import io.peregrine.client.PeregrineClient;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** Calls {@code echo} through Peregrine's own Java client. */
final class PeregrineEchoCaller implements EchoCaller {

    private final PeregrineClient client;

    private PeregrineEchoCaller(PeregrineClient client) {
        this.client = client;
    }

    static PeregrineEchoCaller connect(String url, Era era, int payload, int concurrency) throws java.io.IOException {
        return new PeregrineEchoCaller(PeregrineClient.builder().url(url).protocolVersion(era.version())
                .maxLineLength(LoadSettings.maxMessageBytes(payload)).maxCallsInFlight(concurrency, Duration.ZERO)
                .requestTimeout(Duration.ofSeconds(30)).connect());
    }

    @Override
    public String name() {
        return "peregrine";
    }

    @Override
    public void call(Map<String, Object> arguments, Consumer<Throwable> done) {
        client.callToolAsync("echo", arguments, null).result().whenComplete((r, failure) -> done.accept(
                failure != null ? failure : r.isError() ? new IllegalStateException("an error result: " + r.text()) : null));
    }

    @Override
    public void close() {
        client.close();
    }
}
