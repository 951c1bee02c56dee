package io.peregrine.ops.metrics;

import io.peregrine.mcp.ObservedRequest;
import io.peregrine.transport.Transport;

/** An {@link ObservedRequest} with the values a test sets, as the core would hand one over. */
final class TestRequest implements ObservedRequest {

    private final Transport transport;
    private final String method;
    private final String target;
    private final boolean registered;
    private final String protocolVersion;

    TestRequest(Transport transport, String method, String target, boolean registered, String protocolVersion) {
        this.transport = transport;
        this.method = method;
        this.target = target;
        this.registered = registered;
        this.protocolVersion = protocolVersion;
    }

    static TestRequest call(Transport transport, String tool, boolean registered) {
        return new TestRequest(transport, "tools/call", tool, registered, "2025-11-25");
    }

    @Override
    public Transport transport() {
        return transport;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public boolean targetRegistered() {
        return registered;
    }

    @Override
    public String protocolVersion() {
        return protocolVersion;
    }

    @Override
    public String requestId() {
        return "7";
    }

    @Override
    public String sessionId() {
        return null;
    }

    @Override
    public String meta(String key) {
        return null;
    }

    @Override
    public String httpHeader(CharSequence name) {
        return null;
    }
}
