package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * MCP's Streamable HTTP seen from a keep-alive client: each JSON-RPC message written is sent as
 * one {@code POST /mcp}, and each response's JSON-RPC message is passed on as a buffer, whether
 * the server answered with {@code application/json} or with a {@code text/event-stream} (each
 * event's {@code data} is one message).
 *
 * <p>Requests are written as bytes, with a head built once per session, as wrk does: the
 * generator shares the machine with the server it measures, and an HTTP encoder and a header map
 * per request would be CPU taken from the server. Responses are decoded by Netty's
 * {@code HttpResponseDecoder} and aggregated in front of this handler.
 *
 * <ul>
 *   <li>2025-11-25: {@code initialize} is posted without a session; the {@code Mcp-Session-Id} of
 *   its response and {@code MCP-Protocol-Version} are sent with every later request.</li>
 *   <li>2026-07-28: no session; every request carries {@code MCP-Protocol-Version}, and
 *   {@code Mcp-Method: tools/call} and {@code Mcp-Name} (the generator sends nothing else).</li>
 * </ul>
 *
 * <p>A {@code 202 Accepted} without a body (the answer to a notification) passes on the event
 * {@link #ACCEPTED}.
 * Any other status is passed on as a JSON-RPC error without an id, which the connection counts as
 * an error response for its oldest request in flight: HTTP answers requests in order.
 */
final class HttpClientFraming extends ChannelDuplexHandler {

    /** Where the Streamable HTTP endpoint is, on Peregrine and on both references. */
    static final String PATH = "/mcp";
    private static final AsciiString SESSION_ID = AsciiString.cached("mcp-session-id");
    private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    private static final byte[] END_OF_HEAD = ascii("\r\n\r\n");
    private static final byte[] DATA = ascii("data:");
    private static final byte[] EMPTY = new byte[0];

    /**
     * The event fired for a {@code 202 Accepted}: the server has taken a notification. A client
     * waits for it after {@code notifications/initialized}, since the session is not open before
     * and requests must not be pipelined behind it.
     */
    static final Object ACCEPTED = new Object() {
        @Override
        public String toString() {
            return "HTTP 202 Accepted";
        }
    };

    private final String commonHead;
    private final Era era;
    /** Each request's {@code Authorization} header line, taken in turn; empty for none. */
    private final byte[][] authorizations;
    private int nextAuthorization;
    private byte[] head;
    private boolean sessionOpen;

    /**
     * @param authorizations the {@code Authorization} values requests carry, one per request in
     *                       turn (empty: none)
     * @param first          the index of the first request's
     */
    HttpClientFraming(InetSocketAddress server, Era era, String tool, List<String> authorizations, int first) {
        this.era = era;
        this.authorizations = authorizations.stream().map(a -> ascii("Authorization: " + a + "\r\n")).toArray(byte[][]::new);
        this.nextAuthorization = authorizations.isEmpty() ? 0 : first % authorizations.size();
        String host = server.getAddress().getHostAddress();
        this.commonHead = "POST " + PATH + " HTTP/1.1\r\n"
                + "Host: " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + server.getPort() + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\n";
        this.head = ascii(era.handshake() ? commonHead
                : commonHead + "MCP-Protocol-Version: " + era.version() + "\r\nMcp-Method: tools/call\r\nMcp-Name: " + tool
                + "\r\n");
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf body = (ByteBuf) msg;
        try {
            int length = body.readableBytes();
            byte[] authorization = authorizations.length == 0 ? EMPTY : authorizations[nextAuthorization];
            if (authorizations.length > 0) {
                nextAuthorization = (nextAuthorization + 1) % authorizations.length;
            }
            ByteBuf out = ctx.alloc().ioBuffer(head.length + authorization.length + CONTENT_LENGTH.length + 14 + length);
            out.writeBytes(head).writeBytes(authorization).writeBytes(CONTENT_LENGTH);
            RequestEncoder.writeDecimal(out, length);
            out.writeBytes(END_OF_HEAD).writeBytes(body, body.readerIndex(), length);
            ctx.write(out, promise);
        } finally {
            body.release();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpResponse)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        FullHttpResponse response = (FullHttpResponse) msg;
        try {
            if (!sessionOpen && era.handshake()) {
                String session = response.headers().get(SESSION_ID);
                if (session != null) {
                    sessionOpen = true;
                    head = ascii(commonHead + "Mcp-Session-Id: " + session + "\r\nMCP-Protocol-Version: " + era.version()
                            + "\r\n");
                }
            }
            ByteBuf content = response.content();
            int status = response.status().code();
            if (status == HttpResponseStatus.ACCEPTED.code() && !content.isReadable()) {
                ctx.fireUserEventTriggered(ACCEPTED);
                return;
            }
            if (status != HttpResponseStatus.OK.code()) {
                // The body's start, for the run's failure message; quotes and controls dropped to keep it JSON.
                String body = content.toString(content.readerIndex(), Math.min(content.readableBytes(), 200),
                        StandardCharsets.UTF_8).replaceAll("[\"\\\\\\p{Cntrl}]", " ");
                ctx.fireChannelRead(ctx.alloc().heapBuffer().writeBytes(("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":"
                        + "{\"code\":-32000,\"message\":\"HTTP " + status + ": " + body + "\"}}").getBytes(StandardCharsets.UTF_8)));
                return;
            }
            String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (type != null && type.startsWith("text/event-stream")) {
                fireEvents(ctx, content);
            } else {
                ctx.fireChannelRead(content.retain());
            }
        } finally {
            response.release();
        }
    }

    /** Passes on the {@code data} of each event: one JSON-RPC message per event. */
    private static void fireEvents(ChannelHandlerContext ctx, ByteBuf stream) {
        int i = stream.readerIndex();
        int end = stream.writerIndex();
        while (i < end) {
            int lineEnd = stream.indexOf(i, end, (byte) '\n');
            if (lineEnd < 0) {
                lineEnd = end;
            }
            if (ByteSearch.startsWith(stream, i, DATA)) {
                int start = i + DATA.length;
                if (start < lineEnd && stream.getByte(start) == ' ') {
                    start++;
                }
                int stop = lineEnd > start && stream.getByte(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
                if (stop > start) {
                    ctx.fireChannelRead(stream.retainedSlice(start, stop - start));
                }
            }
            i = lineEnd + 1;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
