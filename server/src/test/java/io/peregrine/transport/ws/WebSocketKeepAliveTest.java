package io.peregrine.transport.ws;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The WebSocket timers on the event loop's clock, moved by hand. */
class WebSocketKeepAliveTest {

    /** The idle states fired behind the timers. */
    private final List<IdleState> fired = new ArrayList<>();

    private EmbeddedChannel channel(long idleTimeoutMillis, long pingIntervalMillis) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new WebSocketKeepAlive(idleTimeoutMillis, pingIntervalMillis), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                fired.add(((IdleStateEvent) evt).state());
            }
        });
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void writerIdleAfterThePingIntervalWithoutWritesAndAgainAfterTheNextOne() {
        EmbeddedChannel ch = channel(0, 1_000);
        advance(ch, 999);
        assertThat(fired).isEmpty();
        advance(ch, 1);
        assertThat(fired).containsExactly(IdleState.WRITER_IDLE);

        advance(ch, 500);
        ch.writeOutbound("pong");
        advance(ch, 999);
        assertThat(fired).as("a write puts the next ping off").containsExactly(IdleState.WRITER_IDLE);
        advance(ch, 1);
        assertThat(fired).containsExactly(IdleState.WRITER_IDLE, IdleState.WRITER_IDLE);
        ch.finishAndReleaseAll();
    }

    @Test
    void readerIdleAfterTheTimeoutWithoutReads() {
        EmbeddedChannel ch = channel(1_000, 0);
        advance(ch, 600);
        ch.writeInbound("frame");
        advance(ch, 600);
        assertThat(fired).as("the read at 600 ms puts the timeout off to 1,600").isEmpty();
        advance(ch, 400);
        assertThat(fired).containsExactly(IdleState.READER_IDLE);
        ch.finishAndReleaseAll();
    }

    @Test
    void bothTimersShareOneTaskAndEachFiresOnItsOwnClock() {
        EmbeddedChannel ch = channel(2_500, 1_000);
        for (int i = 0; i < 3; i++) {
            advance(ch, 1_000);
            ch.writeOutbound("ping"); // what the frame handler does on writer idle
        }
        assertThat(fired).containsExactly(IdleState.WRITER_IDLE, IdleState.WRITER_IDLE, IdleState.READER_IDLE,
                IdleState.WRITER_IDLE);
        ch.finishAndReleaseAll();
    }

    @Test
    void nothingFiresOnceClosed() {
        EmbeddedChannel ch = channel(1_000, 1_000);
        ch.close();
        advance(ch, 5_000);
        assertThat(fired).isEmpty();
    }

    @Test
    void timersThatNeverFireAreRefused() {
        assertThatThrownBy(() -> new WebSocketKeepAlive(0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
