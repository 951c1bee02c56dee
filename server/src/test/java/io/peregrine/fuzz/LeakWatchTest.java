package io.peregrine.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fuzz targets' leak check can fail: a buffer dropped without release is reported. */
class LeakWatchTest {

    @Test
    void aBufferDroppedWithoutReleaseFailsTheCheck() {
        LeakWatch.install();
        try {
            LeakWatch.assertNoLeaks();
        } catch (AssertionError earlier) {
            // what an earlier test in this JVM left is not this test's business
        }
        drop();
        assertThatThrownBy(() -> {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                LeakWatch.assertNoLeaks();
            }
        }).isInstanceOf(AssertionError.class).hasMessageContaining("ByteBuf leaked")
                .hasMessageContaining("LeakWatchTest.drop");
    }

    private static void drop() {
        ByteBuf lost = ByteBufAllocator.DEFAULT.heapBuffer(16);
        lost.writeLong(42);
    }
}
