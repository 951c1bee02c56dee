package io.peregrine.ops.metrics;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsHttpHandlerTest {

    private final PeregrineMetrics metrics = PeregrineMetrics.builder().jvm(false).build();
    private final List<Object> passedOn = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new MetricsHttpHandler("/metrics", metrics.exposition()),
            new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    passedOn.add(msg);
                }
            });

    @AfterEach
    void release() {
        for (Object o : passedOn) {
            io.netty.util.ReferenceCountUtil.release(o);
        }
        channel.finishAndReleaseAll();
    }

    private static FullHttpRequest request(HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.buffer(0));
    }

    private FullHttpResponse answer(FullHttpRequest request) {
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as("an answer to %s %s", request.method(), request.uri()).isNotNull();
        return response;
    }

    @Test
    void aScrapeGetsTheTextFormat() {
        FullHttpResponse response = answer(request(HttpMethod.GET, "/metrics"));
        try {
            assertThat(response.status().code()).isEqualTo(200);
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(MetricsExposition.TEXT_FORMAT);
            String body = response.content().toString(StandardCharsets.UTF_8);
            assertThat(body).contains("peregrine_messages_rejected_total{reason=\"parse_error\"} 0.0");
            assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(response.content().readableBytes());
            assertThat(channel.isOpen()).isTrue();
        } finally {
            response.release();
        }
    }

    @Test
    void openMetricsWhenTheScraperAsksAndTheQueryIsIgnored() {
        FullHttpRequest request = request(HttpMethod.GET, "/metrics?name[]=x");
        request.headers().set(HttpHeaderNames.ACCEPT, MetricsExpositionTest.PROMETHEUS_ACCEPT);
        FullHttpResponse response = answer(request);
        try {
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(MetricsExposition.OPENMETRICS_FORMAT);
            assertThat(response.content().toString(StandardCharsets.UTF_8)).endsWith("# EOF\n");
        } finally {
            response.release();
        }
    }

    @Test
    void headHasTheLengthAndNoBody() {
        FullHttpResponse response = answer(request(HttpMethod.HEAD, "/metrics"));
        try {
            assertThat(response.status().code()).isEqualTo(200);
            assertThat(response.content().readableBytes()).isZero();
            assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isGreaterThan(100);
        } finally {
            response.release();
        }
    }

    @Test
    void otherMethodsAre405() {
        FullHttpResponse response = answer(request(HttpMethod.POST, "/metrics"));
        try {
            assertThat(response.status().code()).isEqualTo(405);
            assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
        } finally {
            response.release();
        }
    }

    @Test
    void everythingElseIsPassedOn() {
        FullHttpRequest mcp = request(HttpMethod.POST, "/mcp");
        FullHttpRequest near = request(HttpMethod.GET, "/metrics/x");
        channel.writeInbound(mcp, near, "not http");
        assertThat(passedOn).containsExactly(mcp, near, "not http");
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void connectionCloseIsHonoured() {
        FullHttpRequest request = request(HttpMethod.GET, "/metrics");
        request.headers().set(HttpHeaderNames.CONNECTION, "close");
        answer(request).release();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void thePathMustBeAbsolute() {
        assertThatThrownBy(() -> new MetricsHttpHandler("metrics", metrics.exposition()))
                .hasMessage("path : metrics (expected: starting with /)");
    }
}
