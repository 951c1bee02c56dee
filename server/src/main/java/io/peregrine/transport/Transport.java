package io.peregrine.transport;

/**
 * The four ways a client reaches Peregrine, with the names logs, metrics and traces give them.
 * The OpenTelemetry names follow the MCP semantic conventions: {@code network.transport} is
 * {@code tcp} for sockets and {@code pipe} for stdio; {@code network.protocol.name} is
 * {@code http} or {@code websocket}, and absent for the raw framings.
 */
public enum Transport {
    TCP("tcp", "tcp", null),
    WEBSOCKET("ws", "tcp", "websocket"),
    HTTP("http", "tcp", "http"),
    STDIO("stdio", "pipe", null);

    private final String label;
    private final String networkTransport;
    private final String networkProtocolName;

    Transport(String label, String networkTransport, String networkProtocolName) {
        this.label = label;
        this.networkTransport = networkTransport;
        this.networkProtocolName = networkProtocolName;
    }

    /** The short name used in configuration, logs and policy: tcp, ws, http, stdio. */
    public String label() {
        return label;
    }

    /** OpenTelemetry {@code network.transport}: tcp or pipe. */
    public String networkTransport() {
        return networkTransport;
    }

    /** OpenTelemetry {@code network.protocol.name}: http, websocket, or null for raw TCP and stdio. */
    public String networkProtocolName() {
        return networkProtocolName;
    }

    @Override
    public String toString() {
        return label;
    }
}
