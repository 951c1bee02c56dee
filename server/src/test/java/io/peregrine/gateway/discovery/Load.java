package io.peregrine.gateway.discovery;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.PeregrineClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded load through the gateway: a few threads, each with its own client, calling the
 * federated {@code svc_work} one call after another until stopped (or a time limit), counting
 * successes and keeping the first failures.
 */
final class Load implements AutoCloseable {

    final AtomicInteger ok = new AtomicInteger();
    final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<PeregrineClient> clients = new ArrayList<>();
    private volatile boolean stop;

    Load(Peregrine gateway, int threadCount, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        for (int i = 0; i < threadCount; i++) {
            PeregrineClient c = PeregrineClient.builder().address(gateway.addresses().tcp())
                    .requestTimeout(Duration.ofSeconds(10)).connect();
            clients.add(c);
            Thread t = new Thread(() -> {
                while (!stop && System.nanoTime() < end) {
                    try {
                        CallToolResult r = c.callTool("svc_work", Map.of());
                        if (r.isError()) {
                            fail("tool error: " + r.text());
                        } else {
                            ok.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        fail(e.toString());
                    }
                }
            }, "load-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    private void fail(String why) {
        if (failures.size() < 20) {
            failures.add(why);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(15));
        }
        clients.forEach(PeregrineClient::close);
    }
}
