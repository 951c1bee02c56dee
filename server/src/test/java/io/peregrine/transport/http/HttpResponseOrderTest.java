package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HttpResponseOrder} on its own, behind the real HTTP codec: a plain handler that answers in
 * {@code channelRead} and knows nothing of ordering, beside a responder that answers later through
 * the request's {@link ResponseTurn}. Assertions are on the bytes written, their order, the
 * flushes, and the channel's state.
 */
class HttpResponseOrderTest {

    /** Answers {@code /later...} through its turn when the test says so; every other path at once, as plain handlers do. */
    private static final class Responders extends ChannelInboundHandlerAdapter {
        final ArrayDeque<ResponseTurn> later = new ArrayDeque<>();
        final List<String> delivered = new ArrayList<>();
        int abandoned;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            FullHttpRequest request = (FullHttpRequest) msg;
            String uri = request.uri();
            delivered.add(uri);
            request.release();
            if (uri.startsWith("/later")) {
                ResponseTurn turn = HttpResponseOrder.turn(ctx);
                turn.onAbandoned(() -> abandoned++);
                later.add(turn);
            } else if (uri.equals("/switch")) {
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
                r.headers().set(HttpHeaderNames.UPGRADE, "example").set(HttpHeaderNames.CONNECTION, "upgrade");
                ctx.writeAndFlush(r);
            } else if (uri.equals("/no-length")) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(uri, StandardCharsets.US_ASCII)));
            } else {
                ctx.writeAndFlush(answer(uri));
            }
        }
    }

    /** Counts the flushes that reach the socket. */
    private static final class Flushes extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            count++;
            ctx.flush();
        }
    }

    private final Responders responders = new Responders();
    private final Flushes flushes = new Flushes();
    private EmbeddedChannel channel;

    private EmbeddedChannel channel(int maxPipelined) {
        channel = new EmbeddedChannel(flushes, new HttpServerCodec(), new HttpResponseOrder(maxPipelined),
                new HttpObjectAggregator(1024), responders);
        return channel;
    }

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private static FullHttpResponse answer(String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        HttpUtil.setContentLength(r, r.content().readableBytes());
        return r;
    }

    private static ByteBuf requests(String... lines) {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l);
        }
        return Unpooled.copiedBuffer(b.toString(), StandardCharsets.US_ASCII);
    }

    private static String get(String path, String... headers) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + String.join("", headersLines(headers)) + "\r\n";
    }

    private static List<String> headersLines(String... headers) {
        List<String> out = new ArrayList<>();
        for (String h : headers) {
            out.add(h + "\r\n");
        }
        return out;
    }

    /** Everything written to the socket so far. */
    private String written() {
        StringBuilder out = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            out.append(((ByteBuf) o).toString(StandardCharsets.US_ASCII));
            ((ByteBuf) o).release();
        }
        return out.toString();
    }

    @Test
    void aPlainHandlersAnswerWaitsForTheAnswerAheadOfIt() {
        channel(16).writeInbound(requests(get("/later"), get("/health"), get("/metrics")));
        assertThat(responders.delivered).containsExactly("/later", "/health", "/metrics");
        assertThat(written()).as("nothing may overtake the first answer").isEmpty();

        responders.later.poll().writeAndFlush(answer("first"));
        String out = written();
        assertThat(out.indexOf("first")).isLessThan(out.indexOf("/health"));
        assertThat(out.indexOf("/health")).isLessThan(out.indexOf("/metrics"));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aStreamedAnswerHoldsTheOnesBehindItUntilItsLastPart() {
        channel(16).writeInbound(requests(get("/later"), get("/health")));
        ResponseTurn turn = responders.later.poll();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(head, true);
        turn.write(head);
        turn.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("event-1", StandardCharsets.US_ASCII)));
        String before = written();
        assertThat(before).contains("event-1").doesNotContain("/health");

        turn.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(written()).contains("/health");
    }

    @Test
    void answersMadeDuringOneReadAreFlushedOnce() {
        channel(16).writeInbound(requests(get("/a"), get("/b"), get("/c")));
        assertThat(written()).contains("/a").contains("/b").contains("/c");
        assertThat(flushes.count).isEqualTo(1);
    }

    @Test
    void aRequestThatClosesTheConnectionIsTheLastOneServed() {
        channel(16).writeInbound(requests(get("/later"), get("/bye", "Connection: close"), get("/after")));
        assertThat(responders.delivered).as("requests after one that closes are dropped").containsExactly("/later", "/bye");
        responders.later.poll().writeAndFlush(answer("first"));
        String out = written();
        assertThat(out).contains("first").contains("/bye").doesNotContain("/after");
        assertThat(out.substring(out.indexOf("first"))).containsIgnoringCase("connection: close");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anAnswerWithoutALengthClosesTheConnectionAfterIt() {
        channel(16).writeInbound(requests(get("/no-length"), get("/after")));
        assertThat(written()).containsIgnoringCase("connection: close").contains("/no-length").doesNotContain("/after");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void switchingProtocolsEndsTheOrderOfTheConnection() {
        channel(16).writeInbound(requests(get("/switch")));
        assertThat(written()).startsWith("HTTP/1.1 101");
        assertThat(channel.pipeline().get(HttpResponseOrder.class)).isNull();
    }

    @Test
    void readingPausesWhileTooManyAnswersAreOwed() {
        channel(2).writeInbound(requests(get("/later/1"), get("/later/2")));
        assertThat(channel.config().isAutoRead()).isFalse();
        responders.later.poll().writeAndFlush(answer("one"));
        assertThat(channel.config().isAutoRead()).isTrue();
        responders.later.poll().writeAndFlush(answer("two"));
        assertThat(written()).contains("one").contains("two");
    }

    @Test
    void aResponderCanPauseReadingAndTheBoundDoesNotUndoIt() {
        channel(16).writeInbound(requests(get("/later")));
        ResponseTurn turn = responders.later.poll();
        turn.pauseReading(true);
        assertThat(channel.config().isAutoRead()).isFalse();
        turn.writeAndFlush(answer("done"));
        assertThat(channel.config().isAutoRead()).as("still paused by the responder").isFalse();
        turn.pauseReading(false);
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void aClosedConnectionAbandonsTheTurnsStillOwedAndDropsWhatTheyHeld() {
        channel(16).writeInbound(requests(get("/later/1"), get("/later/2")));
        ResponseTurn first = responders.later.poll();
        ResponseTurn second = responders.later.poll();
        FullHttpResponse held = answer("held");
        second.writeAndFlush(held);
        channel.close();
        assertThat(responders.abandoned).isEqualTo(2);
        assertThat(held.refCnt()).as("the held answer is released").isZero();
        first.writeAndFlush(answer("too late")); // released, not written
        assertThat(written()).isEmpty();
    }

    @Test
    void theKeepAliveTimeoutClosesOnlyAnIdleConnection() {
        channel(16).writeInbound(requests(get("/later")));
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).as("an answer is still owed").isTrue();
        responders.later.poll().writeAndFlush(answer("done"));
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).isFalse();
    }
}
