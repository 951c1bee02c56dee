package io.peregrine.fuzz;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's leak detector in paranoid mode, made to fail a fuzz target: every buffer is tracked, and
 * a leak that the detector reports is kept here until {@link #assertNoLeaks()} throws it.
 *
 * <p>The detector reports a leak only after the garbage collector has found the lost buffer and a
 * later buffer is tracked, so {@link #assertNoLeaks()} collects garbage and allocates a few buffers
 * first. That costs a few milliseconds, so while fuzzing it runs every {@link #period()}th input
 * (and each seed is checked on its own when the corpus is replayed by {@code mvn test}).
 */
final class LeakWatch {

    private static final List<String> LEAKS = new ArrayList<>();
    private static boolean installed;

    private LeakWatch() {
    }

    /** Turns paranoid leak detection on and starts recording leaks; idempotent. */
    static synchronized void install() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        if (installed) {
            return;
        }
        detector().setLeakListener((resourceType, records) -> {
            synchronized (LEAKS) {
                LEAKS.add(resourceType + " leaked:\n" + records);
            }
        });
        installed = true;
    }

    /** How many inputs pass between two leak checks: every one when replaying seeds. */
    static int period() {
        return Fuzzing.active() ? 2_000 : 1;
    }

    /** Throws an {@link AssertionError} naming every leak reported so far. */
    static void assertNoLeaks() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            System.runFinalization();
            // A tracked allocation makes the detector poll its reference queue.
            for (int j = 0; j < 8; j++) {
                ByteBuf probe = ByteBufAllocator.DEFAULT.heapBuffer(1);
                probe.release();
            }
            synchronized (LEAKS) {
                if (!LEAKS.isEmpty()) {
                    String all = String.join("\n", LEAKS);
                    LEAKS.clear();
                    throw new AssertionError(all);
                }
            }
            if (i < 2) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static ResourceLeakDetector<ByteBuf> detector() {
        try {
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            return (ResourceLeakDetector<ByteBuf>) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Netty's ByteBuf leak detector is not where it was in Netty 4.2", e);
        }
    }
}
