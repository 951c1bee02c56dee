package io.peregrine.client;

import java.util.List;
import java.util.Map;

/**
 * What the client and its server agreed for one link: the protocol revision and its era, how
 * requests are completed for it ({@code _meta} in 2026-07-28), and what the server said about
 * itself ({@code initialize} or {@code server/discover}). A new link brings a new agreement.
 *
 * @param version            the revision in use
 * @param stateless             stateless (2026-07-28): every request carries version and capabilities
 * @param requestParams      how outgoing params are completed
 * @param serverInfo         the server's {@code serverInfo}, empty when it said none
 * @param serverCapabilities the server's capabilities, empty when it said none
 * @param instructions       the server's instructions, or null
 * @param serverVersions     the revisions {@code server/discover} listed, empty when not asked
 */
record Agreement(String version, boolean stateless, RequestParams requestParams, Map<String, Object> serverInfo,
                 Map<String, Object> serverCapabilities, String instructions, List<String> serverVersions) {

    /** Before any link: the version asked for, nothing agreed. */
    static Agreement before(String version) {
        return new Agreement(version, false, RequestParams.stateful(), Map.of(), Map.of(), null, List.of());
    }
}
