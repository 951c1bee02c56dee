package io.peregrine.gateway;

import io.peregrine.rpc.RpcException;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The URIs of one upstream's resources as the gateway serves them, and back.
 *
 * <p>In {@link ResourceUriMode#REWRITE} a URI's scheme gets {@code +} and the upstream's mark: its
 * name in lower case with {@code _} as {@code .} (an upstream name may hold {@code _} and upper
 * case letters, a scheme neither: RFC 3986 schemes are {@code ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )}
 * and compared ignoring case). {@code file:///README.md} of upstream {@code docs} is served as
 * {@code file+docs:///README.md}, {@code urn:x:y} as {@code urn+docs:x:y}, {@code data:,hi} as
 * {@code data+docs:,hi}. Only the scheme changes, so:
 * <ul>
 *   <li>the served form is a valid URI whenever the upstream's is, hierarchical or opaque, and
 *       nothing needs percent-encoding;</li>
 *   <li>the way back is exact: the mark is the scheme's last {@code +} part (a mark holds no
 *       {@code +}), so {@code git+ssh://h/r} is served as {@code git+ssh+docs://h/r} and comes back
 *       as it was;</li>
 *   <li>a URI template's variables expand on the client's side exactly as they would have on the
 *       upstream's ({@code file:///{path}} is served as {@code file+docs:///{path}}), and the URI
 *       they make maps back by the same rule.</li>
 * </ul>
 * A URI or template that does not start with a scheme (a relative reference, or a template whose
 * scheme is a variable) has no served form: the catalog leaves it out, and a link or contents
 * carrying it pass as they are.
 */
final class ResourceUris {

    static final ResourceUris KEEP = new ResourceUris(null, null);

    /** {@code +} and the upstream's mark, or null when URIs are kept. */
    private final String suffix;
    /** Told of each URI the upstream points at, when it keeps its URIs; or null. */
    private final Consumer<String> pointedAt;

    private ResourceUris(String suffix, Consumer<String> pointedAt) {
        this.suffix = suffix;
        this.pointedAt = pointedAt;
    }

    static ResourceUris of(UpstreamSpec spec) {
        return of(spec, null);
    }

    /**
     * @param pointedAt told of each URI an upstream that keeps its URIs points at in a link,
     *                  embedded resource or contents ({@link #pointedAt}); null for none
     */
    static ResourceUris of(UpstreamSpec spec, Consumer<String> pointedAt) {
        if (spec.resourceUris() == ResourceUriMode.REWRITE) {
            return new ResourceUris("+" + mark(spec.name()), null);
        }
        return pointedAt != null ? new ResourceUris(null, pointedAt) : KEEP;
    }

    /** What the scheme of the upstream {@code name}'s URIs ends with, after a {@code +}: {@code My_Docs} gives {@code my.docs}. */
    static String mark(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    boolean rewrites() {
        return suffix != null;
    }

    /** How the upstream's URI or URI template {@code uri} is served; null when it does not start with a scheme. */
    String served(String uri) {
        if (suffix == null) {
            return uri;
        }
        int colon = schemeEnd(uri);
        return colon < 0 ? null : uri.substring(0, colon) + suffix + uri.substring(colon);
    }

    /** {@link #served}, or {@code uri} as it is when it has no served form (a link, contents). */
    String servedOrAsIs(String uri) {
        String served = served(uri);
        return served != null ? served : uri;
    }

    /**
     * {@link #servedOrAsIs} for a URI the upstream points at (a {@code resource_link}, an embedded
     * {@code resource}, the contents of a read), which a client may read next: when URIs are kept,
     * the gateway remembers whose it is ({@link LinkedResources}).
     */
    String pointedAt(String uri) {
        if (pointedAt != null) {
            pointedAt.accept(uri);
        }
        return servedOrAsIs(uri);
    }

    /** The mark in the served {@code uri}'s scheme (its last {@code +} part, in lower case), or null when it has none. */
    static String markOf(String uri) {
        int colon = schemeEnd(uri);
        int plus = colon < 0 ? -1 : uri.lastIndexOf('+', colon);
        return plus <= 0 || plus == colon - 1 ? null : uri.substring(plus + 1, colon).toLowerCase(Locale.ROOT);
    }

    /** The upstream's URI of the served {@code uri}; a URI without this upstream's mark is passed as it is. */
    String upstream(String uri) {
        if (suffix == null) {
            return uri;
        }
        int colon = schemeEnd(uri);
        int at = colon - suffix.length();
        return at > 0 && uri.regionMatches(true, at, suffix, 0, suffix.length())
                ? uri.substring(0, at) + uri.substring(colon) : uri;
    }

    /**
     * An error the upstream answered about its URI {@code own}, told in served terms: that URI in
     * the message and in {@code data.uri} becomes {@code served}.
     */
    RpcException served(RpcException e, String own, String served) {
        if (suffix == null || own.equals(served)) {
            return e;
        }
        Object data = e.data();
        if (data instanceof Map && own.equals(((Map<?, ?>) data).get("uri"))) {
            Map<Object, Object> d = new LinkedHashMap<>((Map<?, ?>) data);
            d.put("uri", served);
            data = d;
        }
        String message = e.getMessage() == null ? null : e.getMessage().replace(own, served);
        return new RpcException(e.code(), message, e.id(), data);
    }

    /** The index of the colon that ends {@code uri}'s scheme, or -1 when it does not start with one. */
    static int schemeEnd(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == ':') {
                return i > 0 ? i : -1;
            }
            boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!(alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))) {
                return -1;
            }
        }
        return -1;
    }
}
