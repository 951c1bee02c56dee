package io.peregrine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpServer;
import io.peregrine.ops.health.Dependencies;
import io.peregrine.transport.HealthReport;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A running server's answer to probes: ready while it serves and every required dependency is
 * up; the verbose report adds its identity, uptime, load and each dependency's state.
 */
final class ServerHealth implements HealthReport {

    /** Where a server is in its life; only {@link #SERVING} is ready. */
    enum State { STARTING, SERVING, DRAINING, STOPPED }

    private static final JsonFactory JSON = new JsonFactory();

    private final McpServer core;
    private final Dependencies dependencies;
    private final LiveCounts counts;
    private final LongSupplier nanoClock;
    private volatile State state = State.STARTING;
    private volatile long servingSinceNanos;

    ServerHealth(McpServer core, Dependencies dependencies, LiveCounts counts, LongSupplier nanoClock) {
        this.core = core;
        this.dependencies = dependencies;
        this.counts = counts;
        this.nanoClock = nanoClock;
    }

    void serving() {
        servingSinceNanos = nanoClock.getAsLong();
        state = State.SERVING;
    }

    void draining() {
        state = State.DRAINING;
    }

    void stopped() {
        state = State.STOPPED;
    }

    State state() {
        return state;
    }

    @Override
    public boolean ready() {
        return state == State.SERVING && dependencies.requiredUp();
    }

    @Override
    public String readiness(boolean ready) {
        if (dependencies.size() == 0) {
            return HealthReport.super.readiness(ready);
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", ready ? "ready" : "not ready");
            writeDependencies(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private void writeDependencies(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("dependencies");
        dependencies.forEach((name, required, status) -> {
            try {
                g.writeObjectFieldStart(name);
                g.writeStringField("status", status.isUp() ? "up" : "down");
                g.writeBooleanField("required", required);
                if (!status.detail().isEmpty()) {
                    g.writeStringField("detail", status.detail());
                }
                g.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        g.writeEndObject();
    }

    @Override
    public String details() {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            State s = state;
            g.writeStartObject();
            g.writeStringField("status", "up");
            g.writeBooleanField("ready", ready());
            g.writeStringField("state", s.name().toLowerCase(Locale.ROOT));
            g.writeStringField("name", core.info().name());
            g.writeStringField("version", core.info().version());
            g.writeNumberField("uptimeMillis", s == State.STARTING ? 0
                    : TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - servingSinceNanos));
            g.writeNumberField("connections", counts.connections());
            g.writeNumberField("sessions", counts.sessions());
            g.writeNumberField("callsInFlight", core.callsInFlight());
            g.writeNumberField("tools", core.tools().size());
            // Calls that ended while their handler ignores the interrupt (exec.max-stray-calls).
            g.writeArrayFieldStart("strayCalls");
            for (ToolExecutor.StrayCall stray : core.strayCalls()) {
                g.writeStartObject();
                g.writeStringField("call", stray.call());
                g.writeStringField("thread", stray.thread());
                g.writeNumberField("strayMillis", stray.strayMillis());
                g.writeBooleanField("slotReturned", stray.slotReturned());
                g.writeEndObject();
            }
            g.writeEndArray();
            writeDependencies(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }
}
