package io.peregrine.transport.http;

import java.util.List;

/** The protocol versions the server speaks, as the HTTP transport needs to tell them apart. */
public final class HttpProtocolVersions {

    private final List<String> all;
    private final List<String> stateless;
    private final String allJson;

    /**
     * @param all    every supported version, newest first
     * @param stateless the stateless ones (2026-07-28 and later), served without a session
     */
    public HttpProtocolVersions(List<String> all, List<String> stateless) {
        this.all = List.copyOf(all);
        this.stateless = List.copyOf(stateless);
        StringBuilder b = new StringBuilder("[");
        for (String v : this.all) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(HttpResponses.quote(v));
        }
        this.allJson = b.append(']').toString();
    }

    boolean isKnown(String version) {
        return all.contains(version);
    }

    boolean isStateless(String version) {
        return stateless.contains(version);
    }

    List<String> all() {
        return all;
    }

    String allJson() {
        return allJson;
    }
}
