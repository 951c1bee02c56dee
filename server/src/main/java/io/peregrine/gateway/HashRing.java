package io.peregrine.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Consistent hashing on the call's key: each endpoint stands at {@value #POINTS} points of a
 * 64-bit ring per unit of weight, and a key goes to the endpoint at the first point at or after
 * its hash. An endpoint that joins takes over only the arcs before its own points, about 1/n of
 * the keys; one that leaves hands only its own keys to its neighbours. So a principal's or a
 * session's calls keep reaching the same endpoint while the set stays as it is. A call without a
 * key goes to the fallback strategy.
 *
 * <p>The ring is rebuilt when the candidates change (an endpoint joins, leaves, is ejected, or a
 * call avoids one it already tried); building it for a handful of endpoints takes microseconds.
 */
final class HashRing<E> implements Balancer<E> {

    /** Points per unit of weight: enough that each endpoint's share is within a few percent of 1/n. */
    static final int POINTS = 160;

    private final View<E> view;
    private final Balancer<E> fallback;
    private volatile Ring<E> ring;

    HashRing(View<E> view, Balancer<E> fallback) {
        this.view = view;
        this.fallback = fallback;
    }

    /** A built ring: sorted hashes, and the endpoint at each. */
    private static final class Ring<E> {
        final List<E> members;
        final long[] hashes;
        final Object[] owners;

        Ring(List<E> members, long[] hashes, Object[] owners) {
            this.members = members;
            this.hashes = hashes;
            this.owners = owners;
        }
    }

    @Override
    public E pick(List<E> candidates, String key) {
        if (key == null) {
            return fallback.pick(candidates, null);
        }
        Ring<E> r = ring;
        if (r == null || !r.members.equals(candidates)) {
            r = build(candidates);
            ring = r;
        }
        int at = Arrays.binarySearch(r.hashes, hash(key));
        if (at < 0) {
            at = -at - 1;
        }
        @SuppressWarnings("unchecked")
        E owner = (E) r.owners[at == r.hashes.length ? 0 : at];
        return owner;
    }

    private Ring<E> build(List<E> candidates) {
        int total = 0;
        for (E e : candidates) {
            total += POINTS * view.weight(e);
        }
        long[][] points = new long[total][];
        int k = 0;
        for (int c = 0; c < candidates.size(); c++) {
            E e = candidates.get(c);
            String id = view.id(e);
            for (int i = 0, n = POINTS * view.weight(e); i < n; i++) {
                points[k++] = new long[] {hash(id + "#" + i), c};
            }
        }
        // Ties (a 64-bit collision) are broken by the endpoint's name, so every gateway builds the same ring.
        Arrays.sort(points, (x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0])
                : view.id(candidates.get((int) x[1])).compareTo(view.id(candidates.get((int) y[1]))));
        long[] hashes = new long[total];
        Object[] at = new Object[total];
        for (int i = 0; i < total; i++) {
            hashes[i] = points[i][0];
            at[i] = candidates.get((int) points[i][1]);
        }
        return new Ring<>(List.copyOf(candidates), hashes, at);
    }

    /** FNV-1a over the UTF-8 bytes, then the MurmurHash3 finalizer to spread the bits. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe53ec53bL;
        h ^= h >>> 33;
        return h;
    }
}
