package io.peregrine.client;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The requests awaiting their responses, by id: in their slots, past them (more at once than
 * there are slots, or a slot still held by an old request), after they end, and from several
 * threads at once.
 */
class PendingRequestsTest {

    private final List<PendingRequest> abandoned = new ArrayList<>();
    private final PendingRequests pending = new PendingRequests(abandoned::add);

    @Test
    void aRequestIsFoundByItsIdUntilItEnds() {
        PendingRequest request = pending.add(pending.nextId(), "tools/call", null);
        assertThat(pending.get(request.id())).isSameAs(request);
        assertThat(pending.get(request.id() + 1)).isNull();
        assertThat(pending.size()).isEqualTo(1);

        request.complete(Map.of());
        assertThat(pending.get(request.id())).isNull();
        assertThat(pending.size()).isZero();
    }

    @Test
    void requestsBeyondTheSlotsAreFoundAsWell() {
        List<PendingRequest> requests = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            requests.add(pending.add(pending.nextId(), "tools/call", null));
        }
        assertThat(pending.size()).isEqualTo(1000);
        for (PendingRequest r : requests) {
            assertThat(pending.get(r.id())).isSameAs(r);
        }
        // Ended in another order than they began: each leaves, and only it.
        for (int i = requests.size() - 1; i >= 0; i -= 2) {
            requests.get(i).complete(Map.of());
        }
        for (int i = 0; i < requests.size(); i++) {
            PendingRequest r = requests.get(i);
            assertThat(pending.get(r.id())).isSameAs(i % 2 == 0 ? r : null);
        }
        assertThat(pending.size()).isEqualTo(500);
    }

    @Test
    void aRequestThatRunsLongDoesNotHideTheOnesThatShareItsSlot() {
        PendingRequest old = pending.add(pending.nextId(), "tools/call", null);
        List<PendingRequest> later = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            PendingRequest r = pending.add(pending.nextId(), "ping", null);
            assertThat(pending.get(r.id())).isSameAs(r);
            later.add(r);
            r.complete(Map.of());
            assertThat(pending.get(r.id())).isNull();
        }
        assertThat(pending.get(old.id())).isSameAs(old);
        assertThat(pending.size()).isEqualTo(1);
        // The id 256 after the old one's, sharing its slot, while the old one still runs.
        PendingRequest sharer = pending.add(old.id() + 768, "ping", null);
        assertThat(pending.get(sharer.id())).isSameAs(sharer);
        old.complete(Map.of());
        assertThat(pending.get(old.id())).isNull();
        assertThat(pending.get(sharer.id())).isSameAs(sharer);
        sharer.complete(Map.of());
        assertThat(pending.size()).isZero();
    }

    @Test
    void failingAllReachesEveryRequestButThoseKept() {
        List<PendingRequest> requests = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            requests.add(pending.add(pending.nextId(), "tools/call", null));
        }
        PendingRequest kept = requests.get(7);
        pending.failAll(r -> new McpClientException("connection lost", null), r -> r == kept);
        for (PendingRequest r : requests) {
            assertThat(r.future().isCompletedExceptionally()).isEqualTo(r != kept);
        }
        assertThat(pending.size()).isEqualTo(1);
        assertThat(pending.get(kept.id())).isSameAs(kept);
    }

    @Test
    void aLateAnswerFindsNothingAndATimedOutRequestIsToldAsAbandoned() {
        PendingRequest request = pending.add(pending.nextId(), "tools/call", null);
        request.cancel("the caller gave up");
        assertThat(pending.get(request.id())).isNull();
        assertThat(abandoned).containsExactly(request);
    }

    @Test
    void threadsAddingAndEndingAtOnceLoseNothing() throws Exception {
        int threads = 4;
        int each = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> found = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                found.add(pool.submit(() -> {
                    start.await();
                    int seen = 0;
                    List<PendingRequest> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        PendingRequest r = pending.add(pending.nextId(), "tools/call", null);
                        mine.add(r);
                        if (pending.get(r.id()) == r) {
                            seen++;
                        }
                        if (mine.size() == 40) { // about 160 in flight from four threads, some past the slots
                            for (PendingRequest done : mine) {
                                done.complete(Map.of());
                            }
                            mine.clear();
                        }
                    }
                    for (PendingRequest done : mine) {
                        done.complete(Map.of());
                    }
                    return seen;
                }));
            }
            start.countDown();
            for (Future<Integer> f : found) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(each);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(pending.size()).isZero();
        assertThat(pending.get(1)).isNull();
    }
}
