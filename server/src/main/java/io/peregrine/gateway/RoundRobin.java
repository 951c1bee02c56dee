package io.peregrine.gateway;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Each candidate in turn; weights and slow start play no part. */
final class RoundRobin<E> implements Balancer<E> {

    private final AtomicInteger turn = new AtomicInteger();

    @Override
    public E pick(List<E> candidates, String key) {
        return candidates.get(Math.floorMod(turn.getAndIncrement(), candidates.size()));
    }
}
