package io.peregrine.gateway;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The power of two random choices: two distinct candidates at random, and of them the one with
 * fewer attempts in flight for its weight ({@code (inFlight + 1) / weight}, the weight ramped by
 * slow start). Comparing two rather than scanning all keeps every pick O(1) and, unlike always
 * taking the least loaded, does not send a burst of calls to the one endpoint that looked idle a
 * moment ago (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", 2001).
 */
final class LeastInFlight<E> implements Balancer<E> {

    private final View<E> view;

    LeastInFlight(View<E> view) {
        this.view = view;
    }

    @Override
    public E pick(List<E> candidates, String key) {
        int n = candidates.size();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        E a = candidates.get(i);
        E b = candidates.get(j);
        double la = (view.inFlight(a) + 1) / view.effectiveWeight(a);
        double lb = (view.inFlight(b) + 1) / view.effectiveWeight(b);
        return lb < la ? b : a;
    }
}
