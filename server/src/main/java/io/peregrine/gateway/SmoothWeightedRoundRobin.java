package io.peregrine.gateway;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round robin (as nginx does it): each pick adds every candidate's weight to its
 * running score, takes the highest, and takes the total off the one taken. Over a cycle of the
 * weights' sum each endpoint is taken exactly its weight's times, interleaved (5, 1, 1 gives
 * a a b a c a a, not a a a a a b c). Weights are the effective ones, so slow start ramps here too.
 */
final class SmoothWeightedRoundRobin<E> implements Balancer<E> {

    private final View<E> view;
    /** Running scores by endpoint; an endpoint that is no longer a candidate is forgotten. */
    private final Map<E, double[]> current = new HashMap<>();

    SmoothWeightedRoundRobin(View<E> view) {
        this.view = view;
    }

    @Override
    public synchronized E pick(List<E> candidates, String key) {
        if (current.size() > candidates.size() * 2 + 8) {
            current.keySet().retainAll(candidates);
        }
        double total = 0;
        E best = null;
        double[] bestScore = null;
        for (E e : candidates) {
            double w = view.effectiveWeight(e);
            double[] score = current.computeIfAbsent(e, k -> new double[1]);
            score[0] += w;
            total += w;
            if (bestScore == null || score[0] > bestScore[0]) {
                best = e;
                bestScore = score;
            }
        }
        bestScore[0] -= total;
        return best;
    }
}
