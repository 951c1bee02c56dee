package io.peregrine.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.peregrine.resource.Resource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Resources the gateway reads without finding them in its catalog: an upstream may link to, embed
 * or return contents of URIs it does not list (a file below a listed directory, a report a tool
 * just wrote), and a client that follows such a link reads it through the gateway.
 *
 * <ul>
 *   <li>A URI served under an upstream's mark ({@code resource-uris: rewrite}) names its upstream:
 *       {@code file+docs:///reports/7.md} is read from upstream {@code docs} as
 *       {@code file:///reports/7.md}, by any replica of the gateway.</li>
 *   <li>A URI an upstream that keeps its URIs passed on in a {@code resource_link}, an embedded
 *       {@code resource} or the contents of a read is remembered with that upstream, up to
 *       {@code gateway.linked-resources} of them (the least used forgotten first), by the replica
 *       that passed it on.</li>
 * </ul>
 * The catalog comes first: a URI that is listed, or that a template matches, is read from whoever
 * serves it there.
 */
final class LinkedResources {

    /** Longer URIs are not remembered. */
    static final int MAX_URI = 8192;

    private final Cache<String, Upstream> remembered;
    private final Map<String, Upstream> byMark = new HashMap<>();
    private final Predicate<String> listed;

    /**
     * @param capacity how many links of upstreams that keep their URIs are remembered; 0 for none
     * @param listed   whether the catalog lists a URI (those are not remembered: the catalog serves them)
     */
    LinkedResources(int capacity, Predicate<String> listed) {
        this.remembered = capacity > 0 ? Caffeine.newBuilder().maximumSize(capacity).build() : null;
        this.listed = listed;
    }

    /** Routes the URIs under the marks of those of {@code upstreams} that rewrite theirs (marks are distinct, checked at start-up). */
    void marks(List<Upstream> upstreams) {
        for (Upstream u : upstreams) {
            if (u.spec().resourceUris() == ResourceUriMode.REWRITE) {
                byMark.put(ResourceUris.mark(u.name()), u);
            }
        }
    }

    /** Remembers that {@code upstream}, which keeps its URIs, pointed at {@code uri}. */
    void remember(String uri, Upstream upstream) {
        if (remembered != null && uri.length() <= MAX_URI && !listed.test(uri)) {
            remembered.put(uri, upstream);
        }
    }

    /** The upstream to read the served {@code uri} from, or null. */
    Upstream upstream(String uri) {
        Upstream u = remembered != null ? remembered.getIfPresent(uri) : null;
        if (u != null) {
            return u;
        }
        String mark = ResourceUris.markOf(uri);
        return mark != null ? byMark.get(mark) : null;
    }

    /** The resource at {@code uri}, read from its upstream; null when no upstream is known for it. */
    Resource resolve(String uri) {
        Upstream u = upstream(uri);
        if (u == null) {
            return null;
        }
        try {
            return Resource.builder(uri, uri).handler(request -> u.read(request.uri())).blocking(true)
                    .subscriptions(u.subscriptions()).build();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
