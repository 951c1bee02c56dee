package io.peregrine.ops.tracing;

import io.peregrine.mcp.ObservedRequest;
import io.peregrine.transport.Transport;

import java.util.HashMap;
import java.util.Map;

/** A request as the core shows it to an observer, built by hand to drive an observer directly. */
final class TestRequest implements ObservedRequest {

    private final Transport transport;
    private final String method;
    private String target;
    private boolean registered = true;
    private String protocolVersion = "2025-11-25";
    private String requestId = "7";
    private String sessionId;
    private final Map<String, String> meta = new HashMap<>();
    private final Map<String, String> headers = new HashMap<>();

    TestRequest(Transport transport, String method) {
        this.transport = transport;
        this.method = method;
    }

    static TestRequest toolsCall(Transport transport, String tool) {
        return new TestRequest(transport, "tools/call").target(tool);
    }

    TestRequest target(String target) {
        this.target = target;
        return this;
    }

    TestRequest unregistered() {
        this.registered = false;
        return this;
    }

    TestRequest id(String requestId) {
        this.requestId = requestId;
        return this;
    }

    TestRequest session(String sessionId) {
        this.sessionId = sessionId;
        return this;
    }

    TestRequest version(String protocolVersion) {
        this.protocolVersion = protocolVersion;
        return this;
    }

    TestRequest meta(String key, String value) {
        meta.put(key, value);
        return this;
    }

    TestRequest header(String name, String value) {
        headers.put(name.toLowerCase(java.util.Locale.ROOT), value);
        return this;
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
        return target != null && registered;
    }

    @Override
    public String protocolVersion() {
        return protocolVersion;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String meta(String key) {
        return meta.get(key);
    }

    @Override
    public String httpHeader(CharSequence name) {
        return headers.get(name.toString().toLowerCase(java.util.Locale.ROOT));
    }
}
