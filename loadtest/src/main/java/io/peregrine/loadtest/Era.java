package io.peregrine.loadtest;

/**
 * The two ways a client opens MCP: the 2025-11-25 session, which negotiates a version with
 * {@code initialize} before any call, and the stateless 2026-07-28 era, where every request names
 * its version and capabilities in {@code params._meta}.
 */
public enum Era {

    /** {@code initialize}, {@code notifications/initialized}, then plain requests. */
    V2025_11_25("2025-11-25", true, ""),

    /** No handshake; each request carries the protocol version and client capabilities. */
    V2026_07_28("2026-07-28", false,
            "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}");

    private final String version;
    private final boolean handshake;
    /** The members of {@code params._meta} every request carries: none, or the version and capabilities. */
    private final String metaMembers;

    Era(String version, boolean handshake, String metaMembers) {
        this.version = version;
        this.handshake = handshake;
        this.metaMembers = metaMembers;
    }

    /** The protocol version string, e.g. {@code 2025-11-25}. */
    public String version() {
        return version;
    }

    /** Whether a connection must complete {@code initialize} before it sends requests. */
    public boolean handshake() {
        return handshake;
    }

    /**
     * What each request appends inside {@code params}: a leading comma and {@code _meta} with
     * {@code members} (JSON object members, possibly empty) beside the era's own, or nothing when
     * there are none.
     */
    String requestMeta(String members) {
        String all = members.isEmpty() ? metaMembers : metaMembers.isEmpty() ? members : members + "," + metaMembers;
        return all.isEmpty() ? "" : ",\"_meta\":{" + all + "}";
    }

    /** The era named by its protocol version. */
    public static Era of(String version) {
        for (Era e : values()) {
            if (e.version.equals(version)) {
                return e;
            }
        }
        throw new IllegalArgumentException("era : " + version + " (expected: 2025-11-25 or 2026-07-28)");
    }

    @Override
    public String toString() {
        return version;
    }
}
