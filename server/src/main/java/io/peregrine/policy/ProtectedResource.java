package io.peregrine.policy;

import java.util.List;
import java.util.Objects;

/**
 * The OAuth 2.0 Protected Resource Metadata of this server (RFC 9728), served at
 * {@link #WELL_KNOWN_PATH} on the HTTP port, and pointed at by the {@code resource_metadata}
 * parameter of every 401's {@code WWW-Authenticate}, as the MCP authorization spec asks: a
 * client reads it to find the authorization server that issues tokens for {@link #resource()}.
 */
public final class ProtectedResource {

    /** Where the document is served. */
    public static final String WELL_KNOWN_PATH = "/.well-known/oauth-protected-resource";

    private final String resource;
    private final List<String> authorizationServers;
    private final List<String> scopesSupported;

    /**
     * @param resource             this server's resource identifier (the audience tokens must name), or null
     *                             to derive {@code http[s]://host} from each request
     * @param authorizationServers issuers of tokens for this resource
     * @param scopesSupported      scopes worth asking for
     */
    public ProtectedResource(String resource, List<String> authorizationServers, List<String> scopesSupported) {
        this.resource = resource == null || resource.isEmpty() ? null : resource;
        this.authorizationServers = List.copyOf(Objects.requireNonNull(authorizationServers, "authorizationServers"));
        this.scopesSupported = List.copyOf(Objects.requireNonNull(scopesSupported, "scopesSupported"));
    }

    /** The configured resource identifier, or null. */
    public String resource() {
        return resource;
    }

    /** The metadata URL for a request that reached {@code origin} ({@code scheme://host[:port]}). */
    public String metadataUrl(String origin) {
        return origin + WELL_KNOWN_PATH;
    }

    /** The document, as JSON, for a request that reached {@code origin}. */
    public String json(String origin) {
        StringBuilder sb = new StringBuilder("{\"resource\":");
        string(sb, resource != null ? resource : origin);
        sb.append(",\"authorization_servers\":");
        array(sb, authorizationServers);
        if (!scopesSupported.isEmpty()) {
            sb.append(",\"scopes_supported\":");
            array(sb, scopesSupported);
        }
        sb.append(",\"bearer_methods_supported\":[\"header\"]}");
        return sb.toString();
    }

    private static void array(StringBuilder sb, List<String> values) {
        sb.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            string(sb, values.get(i));
        }
        sb.append(']');
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
