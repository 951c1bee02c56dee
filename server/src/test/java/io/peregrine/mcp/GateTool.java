package io.peregrine.mcp;

import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import io.peregrine.transport.Peer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A blocking tool {@code gate} whose call {@code n} (argument {@code n}) runs until the test
 * opens it: calls stay in flight exactly as long as a test needs, with no sleeping. It records
 * the order in which calls enter and leave, and the connection the first call came on.
 */
final class GateTool {

    private final Map<Long, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final List<String> events = new ArrayList<>();
    private volatile Peer peer;

    Tool tool() {
        return Tool.builder("gate")
                .description("Runs until the test opens the gate of its call")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}")
                .handler((args, ctx) -> {
                    long n = args.integer("n");
                    if (peer == null && ctx instanceof ToolCall call) {
                        peer = call.connection.peer;
                    }
                    record("enter " + n);
                    try {
                        gate(n).await();
                    } finally {
                        record("leave " + n);
                    }
                    return ToolResult.text("opened " + n);
                })
                .build();
    }

    /** The request that calls gate {@code n}, with JSON-RPC id {@code n}. */
    static String call(long n) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + n + ",\"method\":\"tools/call\",\"params\":{\"name\":\"gate\","
                + "\"arguments\":{\"n\":" + n + "}}}";
    }

    /** Lets call {@code n} finish (now, or as soon as it starts). */
    void open(long n) {
        gate(n).countDown();
    }

    synchronized int entered() {
        return (int) events.stream().filter(e -> e.startsWith("enter")).count();
    }

    /** {@code enter n} and {@code leave n}, in the order they happened. */
    synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** The connection the first call arrived on; null before any call started. */
    Peer peer() {
        return peer;
    }

    private CountDownLatch gate(long n) {
        return gates.computeIfAbsent(n, k -> new CountDownLatch(1));
    }

    private synchronized void record(String event) {
        events.add(event);
    }
}
