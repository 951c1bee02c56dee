package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The client side of Streamable HTTP: request heads per era, JSON and event-stream answers. */
class HttpClientFramingTest {

    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 8080);

    private final List<Object> received = new ArrayList<>();

    private EmbeddedChannel channel(Era era) {
        return channel(era, List.of(), 0);
    }

    private EmbeddedChannel channel(Era era, List<String> authorizations, int first) {
        return new EmbeddedChannel(new HttpClientFraming(SERVER, era, "echo", authorizations, first), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                received.add(b.toString(StandardCharsets.UTF_8));
                b.release();
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                received.add(evt);
            }
        });
    }

    private static String written(EmbeddedChannel ch, String body) {
        ch.writeOutbound(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        ByteBuf out = ch.readOutbound();
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, String type, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        if (type != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        return r;
    }

    @Test
    void eachRequestCarriesTheNextCredentialFromItsOwnStartingPoint() {
        EmbeddedChannel ch = channel(Era.V2026_07_28, List.of("Bearer a", "Bearer b", "Bearer c"), 1);
        assertThat(written(ch, "{}")).contains("Authorization: Bearer b\r\n").endsWith("Content-Length: 2\r\n\r\n{}");
        assertThat(written(ch, "{}")).contains("Authorization: Bearer c\r\n");
        assertThat(written(ch, "{}")).contains("Authorization: Bearer a\r\n");
        assertThat(written(ch, "{}")).contains("Authorization: Bearer b\r\n");
        assertThat(written(channel(Era.V2026_07_28), "{}")).doesNotContain("Authorization");
    }

    @Test
    void sessionEraSendsTheSessionIdOnlyAfterInitialize() {
        EmbeddedChannel ch = channel(Era.V2025_11_25);
        String init = written(ch, "{\"id\":0}");
        assertThat(init).startsWith("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n")
                .contains("Accept: application/json, text/event-stream\r\n", "Content-Type: application/json\r\n")
                .doesNotContain("Mcp-Session-Id", "MCP-Protocol-Version")
                .endsWith("Content-Length: 8\r\n\r\n{\"id\":0}");

        FullHttpResponse r = response(HttpResponseStatus.OK, "application/json", "{\"id\":0,\"result\":{}}");
        r.headers().set("Mcp-Session-Id", "s-1");
        ch.writeInbound(r);
        assertThat(received).containsExactly("{\"id\":0,\"result\":{}}");

        assertThat(written(ch, "{}")).contains("Mcp-Session-Id: s-1\r\n", "MCP-Protocol-Version: 2025-11-25\r\n")
                .doesNotContain("Mcp-Method");
        ch.writeInbound(response(HttpResponseStatus.ACCEPTED, null, ""));
        assertThat(received).last().isSameAs(HttpClientFraming.ACCEPTED);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void statelessEraNamesMethodAndToolOnEveryRequest() {
        EmbeddedChannel ch = channel(Era.V2026_07_28);
        assertThat(written(ch, "{}")).contains("MCP-Protocol-Version: 2026-07-28\r\n", "Mcp-Method: tools/call\r\n",
                "Mcp-Name: echo\r\n").doesNotContain("Mcp-Session-Id");
        ch.finishAndReleaseAll();
    }

    @Test
    void eventStreamPassesOnEachEventsData() {
        EmbeddedChannel ch = channel(Era.V2026_07_28);
        ch.writeInbound(response(HttpResponseStatus.OK, "text/event-stream;charset=UTF-8",
                "id: 7\nevent: message\ndata: {\"method\":\"notifications/progress\"}\n\n"
                        + "event: message\r\ndata:{\"id\":1,\"result\":{}}\r\n\r\n"));
        assertThat(received).containsExactly("{\"method\":\"notifications/progress\"}", "{\"id\":1,\"result\":{}}");
        ch.finishAndReleaseAll();
    }

    @Test
    void anotherStatusIsAnErrorWithoutAnId() {
        EmbeddedChannel ch = channel(Era.V2026_07_28);
        ch.writeInbound(response(HttpResponseStatus.BAD_REQUEST, "application/json", "{\"error\":{}}"));
        assertThat(received).hasSize(1);
        ResponseParser parser = new ResponseParser();
        assertThat(parser.parse(Unpooled.copiedBuffer((String) received.get(0), StandardCharsets.UTF_8)))
                .isEqualTo(ResponseParser.Kind.ERROR);
        assertThat(parser.id()).isEqualTo(ResponseParser.NO_ID);
        ch.finishAndReleaseAll();
    }
}
