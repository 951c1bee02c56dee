package io.peregrine.gateway.discovery;

import io.peregrine.Peregrine;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real Peregrine upstream servers for the discovery tests: each serves {@code work}, a read-only
 * tool that takes a few milliseconds (so that calls are in flight when an endpoint leaves) and is
 * counted per server, with the time of its first and last execution.
 */
final class Replicas implements AutoCloseable {

    /** One upstream server and what it executed. */
    static final class Replica {
        final String id;
        final Peregrine server;
        final AtomicInteger executions = new AtomicInteger();
        final AtomicLong firstNanos = new AtomicLong();
        final AtomicLong lastNanos = new AtomicLong();

        Replica(String id, Peregrine server) {
            this.id = id;
            this.server = server;
        }

        String tcpUrl() {
            return "tcp://" + server.addresses().tcp().getHostString() + ":" + server.addresses().tcp().getPort();
        }

        int port() {
            return server.addresses().tcp().getPort();
        }
    }

    private final List<Replica> all = new ArrayList<>();
    private final Map<String, Replica> byId = new ConcurrentHashMap<>();

    /** Starts a replica listening for TCP on {@code host:port} (port 0: a free one). */
    Replica start(String id, String host, int port) throws InterruptedException {
        return start(id, host, port, null);
    }

    /** Starts a replica that registers itself with {@code registration} (or not, when null). */
    Replica start(String id, String host, int port, Registration registration) throws InterruptedException {
        Replica[] self = new Replica[1];
        Tool work = Tool.builder("work").description("Counts its executions on this replica")
                .annotations(io.peregrine.tool.ToolAnnotations.builder().readOnly(true).build())
                .handler((args, ctx) -> {
                    Replica r = self[0];
                    long now = System.nanoTime();
                    r.firstNanos.compareAndSet(0, now);
                    r.lastNanos.set(now);
                    r.executions.incrementAndGet();
                    Thread.sleep(3);
                    return ToolResult.text(r.id);
                }).build();
        Peregrine.Builder b = Peregrine.builder().tcp(host, port).tool(work);
        if (registration != null) {
            b.registration(registration);
        }
        Peregrine server = b.build();
        Replica r = new Replica(id, server);
        self[0] = r;
        server.start();
        all.add(r);
        byId.put(id, r);
        return r;
    }

    Replica get(String id) {
        return byId.get(id);
    }

    @Override
    public void close() {
        for (Replica r : all) {
            r.server.close();
        }
    }
}
