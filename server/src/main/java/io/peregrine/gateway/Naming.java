package io.peregrine.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.CRC32;

/**
 * The names federated entries are served by.
 *
 * <p>A tool or prompt name becomes {@code <prefix><separator><name>} (prefix mode {@code always},
 * the default), stays as it is ({@code never}), or is prefixed only when another upstream offers the
 * same name or a local entry has it ({@code collision}: then every upstream offering it in that mode
 * is prefixed, so which one came first does not matter). Names are made valid for MCP clients and
 * LLM function calling, {@code ^[a-zA-Z0-9_-]{1,64}$}: any other character becomes {@code _}, and a
 * name longer than 64 keeps its first 55 characters, a {@code -} and 8 hex digits of a checksum of
 * the whole, so it stays unique and stable. The upstream is always called by its own name.
 *
 * <p>Resource URIs and URI templates are served as the upstream gives them, or under a scheme
 * marked with its name ({@link ResourceUris}). Two sources serving the same URI collide as names
 * do with prefixing off: at start-up that stops it naming both; after it, a local resource wins,
 * then the upstream configured first, and the other is left out with a warning.
 */
final class Naming {

    static final int MAX_NAME = 64;

    /** What one upstream offers now. */
    record Offer(Upstream upstream, Replica.Lists lists) {
    }

    /** A federated entry: whose it is, its name there, and its definition as listed. */
    record Owned<T>(Upstream upstream, String original, T item) {
    }

    private final List<Offer> offers;
    /** Hears why an entry is left out; the gateway logs each reason once. */
    private final java.util.function.Consumer<String> leftOut;

    Naming(List<Offer> offers, java.util.function.Consumer<String> leftOut) {
        this.offers = offers;
        this.leftOut = leftOut;
    }

    /**
     * The federated names of one kind of entry (tools or prompts), in upstream order.
     *
     * @param collisions where a collision that prefixing off makes fatal is reported; null to
     *                   leave such a name out with a warning instead (after start-up)
     */
    <T> Map<String, Owned<T>> named(Set<String> local, Function<Offer, List<T>> items, Function<T, String> nameOf,
                                    Function<UpstreamSpec, NamePatterns> filter, String kind, List<String> collisions) {
        // Who offers each bare name: collision mode prefixes a name offered twice.
        Map<String, Integer> offered = new HashMap<>();
        for (Offer o : offers) {
            for (T item : items.apply(o)) {
                String original = nameOf.apply(item);
                if (filter.apply(o.upstream().spec()).admits(original)) {
                    offered.merge(fit(sanitize(original)), 1, Integer::sum);
                }
            }
        }
        Map<String, Owned<T>> out = new LinkedHashMap<>();
        Map<String, String> owners = new HashMap<>();
        for (String name : local) {
            owners.put(name, "a local " + kind);
        }
        for (Offer o : offers) {
            UpstreamSpec spec = o.upstream().spec();
            for (T item : items.apply(o)) {
                String original = nameOf.apply(item);
                if (!filter.apply(spec).admits(original)) {
                    continue;
                }
                String bare = fit(sanitize(original));
                boolean prefixed = spec.prefixMode() == PrefixMode.ALWAYS
                        || (spec.prefixMode() == PrefixMode.COLLISION && (offered.get(bare) > 1 || local.contains(bare)));
                String name = prefixed ? fit(spec.prefix() + spec.separator() + sanitize(original)) : bare;
                String owner = "the " + kind + " \"" + original + "\" of upstream " + spec.name();
                String other = owners.putIfAbsent(name, owner);
                if (other == null) {
                    out.put(name, new Owned<>(o.upstream(), original, item));
                    continue;
                }
                String message = owner + " and " + other + " would both be served as \"" + name + "\"";
                if (collisions != null && spec.prefixMode() == PrefixMode.NEVER) {
                    collisions.add(message + " (gateway.upstreams." + spec.name() + ".prefix-mode is never; set it to "
                            + "collision or always, or leave one out with tools.exclude or prompts.exclude)");
                } else {
                    leftOut.accept(message + "; " + owner + " is left out");
                }
            }
        }
        return out;
    }

    /**
     * The served URIs of resources or URI templates, in upstream order: each as its upstream's
     * {@link ResourceUris} serves it. A URI another source offers too is a collision, as a name
     * is with prefixing off: the first comes first (a local one before any upstream's), and the
     * other stops start-up or, after it, is left out with a warning.
     *
     * @param collisions where a collision is reported at start-up; null to leave the entry out with a warning
     */
    <T> Map<String, Owned<T>> served(Set<String> local, Function<Offer, List<T>> items, Function<T, String> uriOf,
                                     String kind, List<String> collisions) {
        Map<String, Owned<T>> out = new LinkedHashMap<>();
        for (Offer o : offers) {
            Upstream upstream = o.upstream();
            for (T item : items.apply(o)) {
                String original = uriOf.apply(item);
                if (original == null || !upstream.spec().resources().admits(original)) {
                    continue;
                }
                String uri = upstream.uris().served(original);
                String owner = "the " + kind + " " + original + " of upstream " + upstream.name();
                if (uri == null) {
                    leftOut.accept(owner + " is left out: it does not start with a scheme, which gateway.upstreams."
                            + upstream.name() + ".resource-uris: rewrite marks with the upstream's name");
                    continue;
                }
                Owned<T> first = out.get(uri);
                if (first != null && first.upstream() == upstream) {
                    continue; // listed twice by one upstream
                }
                if (first == null && !local.contains(uri)) {
                    out.put(uri, new Owned<>(upstream, original, item));
                    continue;
                }
                String other = first == null ? "a local " + kind
                        : "the " + kind + " " + first.original() + " of upstream " + first.upstream().name();
                String message = owner + " and " + other + " would both be served as " + uri;
                if (collisions != null) {
                    // Two rewriting upstreams never collide (their marks differ): one side keeps its URIs, or is local.
                    Upstream keeping = !upstream.uris().rewrites() ? upstream : first != null ? first.upstream() : null;
                    collisions.add(message + (keeping != null ? " (gateway.upstreams." + keeping.name() + ".resource-uris "
                            + "is keep; set it to rewrite, or leave one out with resources.exclude)"
                            : " (leave one out with gateway.upstreams." + upstream.name() + ".resources.exclude)"));
                } else {
                    leftOut.accept(message + "; " + owner + " is left out");
                }
            }
        }
        return out;
    }

    /** {@code name} with every character outside {@code [a-zA-Z0-9_-]} replaced by {@code _}. */
    static String sanitize(String name) {
        if (name == null || name.isEmpty()) {
            return "_";
        }
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            sb.append(ok ? c : '_');
        }
        return sb.toString();
    }

    /** {@code name} cut to 64 characters, keeping it unique with a checksum of the whole. */
    static String fit(String name) {
        if (name.length() <= MAX_NAME) {
            return name;
        }
        CRC32 crc = new CRC32();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        return name.substring(0, MAX_NAME - 9) + "-" + String.format("%08x", crc.getValue());
    }

    static List<String> names(Map<String, ?> map) {
        return new ArrayList<>(map.keySet());
    }
}
