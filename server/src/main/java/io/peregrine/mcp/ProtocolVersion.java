package io.peregrine.mcp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The MCP revisions Peregrine speaks, and what differs between them where the core cares.
 *
 * <p>The 2025 revisions are served in a session: an {@code initialize} handshake fixes the version
 * for the connection or HTTP session. 2026-07-28 is stateless: every request names its version in
 * {@code _meta}. (The 2026 versioning guide calls them "legacy" and "modern"; the code names them
 * by what they are.)
 */
public enum ProtocolVersion {

    V2025_03_26("2025-03-26"),
    V2025_06_18("2025-06-18"),
    V2025_11_25("2025-11-25"),
    V2026_07_28("2026-07-28");

    /** The newest revision served in a session, through the initialize handshake. */
    public static final ProtocolVersion LATEST_WITH_SESSION = V2025_11_25;
    public static final ProtocolVersion LATEST = V2026_07_28;

    private static final ProtocolVersion[] ALL = values();
    private static final List<String> IDS;
    private static final List<String> STATELESS_IDS;

    static {
        List<String> ids = new ArrayList<>();
        List<String> stateless = new ArrayList<>();
        ProtocolVersion[] all = values();
        for (int i = all.length - 1; i >= 0; i--) {
            ids.add(all[i].id);
            if (all[i].isStateless()) {
                stateless.add(all[i].id);
            }
        }
        IDS = Collections.unmodifiableList(ids);
        STATELESS_IDS = Collections.unmodifiableList(stateless);
    }

    private final String id;

    ProtocolVersion(String id) {
        this.id = id;
    }

    /** The revision's date string, e.g. {@code 2025-11-25}. */
    public String id() {
        return id;
    }

    /** Stateless: version, capabilities and client info travel in every request's {@code _meta}. */
    public boolean isStateless() {
        return this.compareTo(V2026_07_28) >= 0;
    }

    /** JSON-RPC batches: added in 2025-03-26, removed in 2025-06-18. */
    public boolean allowsBatches() {
        return this == V2025_03_26;
    }

    /**
     * Whether arguments that fail the input schema are a tool execution error ({@code isError}
     * result, so the model can correct itself) rather than a -32602 protocol error. 2025-11-25
     * moved input validation errors into the result.
     */
    public boolean reportsArgumentErrorsInResult() {
        return this.compareTo(V2025_11_25) >= 0;
    }

    /** The revision with this id, or null. */
    public static ProtocolVersion find(String id) {
        if (id == null) {
            return null;
        }
        for (ProtocolVersion v : ALL) {
            // Ids read from the wire are interned, so identity usually decides at once.
            if (v.id == id || v.id.equals(id)) {
                return v;
            }
        }
        return null;
    }

    /** Every supported revision's id, newest first. */
    public static List<String> ids() {
        return IDS;
    }

    /** The ids of the revisions served without a handshake (stateless), newest first. */
    public static List<String> statelessIds() {
        return STATELESS_IDS;
    }

}
