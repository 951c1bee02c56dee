package io.peregrine.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class EnvelopeDecoderTest {

    private final EnvelopeDecoder decoder = new EnvelopeDecoder(new Json(8, 1024), new KnownStrings(List.of("ping", "tools/call")));

    private static ByteBuf frame(String json) {
        // An offset into a larger array, as pooled heap buffers have.
        byte[] bytes = ("xxxx" + json).getBytes(StandardCharsets.UTF_8);
        return Unpooled.wrappedBuffer(bytes, 4, bytes.length - 4);
    }

    @Test
    void readsTheEnvelopeAndSlicesParams() {
        ByteBuf f = frame("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"m\":[1,2]}}}");
        RpcMessage m = (RpcMessage) decoder.decode(f);
        assertThat(m.kind()).isEqualTo(RpcMessage.Kind.REQUEST);
        assertThat(m.id()).isEqualTo(RequestId.of(7));
        assertThat(m.method()).isSameAs("tools/call");
        assertThat(m.params().toString(StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"echo\",\"arguments\":{\"m\":[1,2]}}");
        m.release();
        assertThat(f.refCnt()).isEqualTo(1);
        f.release();
    }

    @Test
    void fieldOrderDoesNotMatter() {
        RpcMessage m = (RpcMessage) decoder.decode(frame("{\"params\":{},\"method\":\"ping\",\"id\":\"a\",\"jsonrpc\":\"2.0\"}"));
        assertThat(m.id()).isEqualTo(RequestId.of("a"));
        assertThat(m.params().toString(StandardCharsets.UTF_8)).isEqualTo("{}");
        m.release();
    }

    static Stream<Arguments> slices() {
        return Stream.of(
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{}}", "{}"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\" : { } }", "{ }"),
                Arguments.of("{\"params\":{\"a\":1},\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", "{\"a\":1}"),
                Arguments.of("{\"params\":{\"a\":\"x\"},\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", "{\"a\":\"x\"}"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"a\":[1,{\"b\":2.5}],\"c\":true}}",
                        "{\"a\":[1,{\"b\":2.5}],\"c\":true}"),
                Arguments.of("  {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":\n{\"a\":null}}  ", "{\"a\":null}"));
    }

    @ParameterizedTest
    @MethodSource("slices")
    void paramsSlicesAreExact(String json, String params) {
        for (int i = 0; i < 3; i++) {
            RpcMessage m = (RpcMessage) decoder.decode(frame(json));
            assertThat(m.params().toString(StandardCharsets.UTF_8)).isEqualTo(params);
            m.release();
        }
    }

    @Test
    void unknownMethodNamesAreStillRead() {
        RpcMessage m = (RpcMessage) decoder.decode(frame("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}"));
        assertThat(m.kind()).isEqualTo(RpcMessage.Kind.NOTIFICATION);
        assertThat(m.method()).isEqualTo("notifications/x");
        m.release();
    }

    @Test
    void readsResponses() {
        RpcMessage ok = (RpcMessage) decoder.decode(frame("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":true}}"));
        assertThat(ok.kind()).isEqualTo(RpcMessage.Kind.RESPONSE);
        assertThat(ok.result().toString(StandardCharsets.UTF_8)).isEqualTo("{\"a\":true}");
        ok.release();
        RpcMessage err = (RpcMessage) decoder.decode(frame("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"no\"}}"));
        assertThat(err.error().code()).isEqualTo(-32601);
        assertThat(err.error().message()).isEqualTo("no");
        err.release();
    }

    static Stream<Arguments> ids() {
        return Stream.of(
                Arguments.of("0", true), Arguments.of("-1", true), Arguments.of("9007199254740993", true),
                Arguments.of("99999999999999999999999999", true), Arguments.of("\"x\\\"y\"", false), Arguments.of("\"\"", false));
    }

    @ParameterizedTest
    @MethodSource("ids")
    void idsKeepTheirExactText(String id, boolean number) throws Exception {
        RpcMessage m = (RpcMessage) decoder.decode(frame("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}"));
        assertThat(m.id().isNumber()).isEqualTo(number);
        ByteBuf out = new JsonRpcWriter(Json.DEFAULT).result(io.netty.buffer.ByteBufAllocator.DEFAULT, m.id(), g -> {
            g.writeStartObject();
            g.writeEndObject();
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}");
        out.release();
        m.release();
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("{", JsonRpcError.PARSE_ERROR, null),
                Arguments.of("", JsonRpcError.INVALID_REQUEST, null),
                Arguments.of("true", JsonRpcError.INVALID_REQUEST, null),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}x", JsonRpcError.PARSE_ERROR, null),
                Arguments.of("{\"jsonrpc\":2,\"id\":1,\"method\":\"ping\"}", JsonRpcError.INVALID_REQUEST, "1"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", JsonRpcError.INVALID_REQUEST, null),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":[]}", JsonRpcError.INVALID_REQUEST, "2"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\",\"params\":\"x\"}", JsonRpcError.INVALID_REQUEST, "3"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\",\"params\":[]}", JsonRpcError.INVALID_PARAMS, "4"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"params\":{\"a\":[[[[[[[[[]]]]]]]]]}}", JsonRpcError.PARSE_ERROR, null),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":6}", JsonRpcError.INVALID_REQUEST, "6"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void malformedMessagesBecomeErrors(String json, int code, String id) {
        Object decoded = decoder.decode(frame(json));
        assertThat(decoded).isInstanceOf(RpcException.class);
        RpcException e = (RpcException) decoded;
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.id() == null ? null : e.id().text()).isEqualTo(id);
        assertThat(e.getMessage()).isNotBlank();
    }

    @Test
    void batchesHoldEachElement() {
        ByteBuf f = frame("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}, 3, {\"jsonrpc\":\"2.0\",\"method\":\"ping\"}]");
        EnvelopeDecoder.Batch batch = (EnvelopeDecoder.Batch) decoder.decode(f);
        assertThat(batch.items()).hasSize(3);
        assertThat(batch.items().get(0)).isInstanceOf(RpcMessage.class);
        assertThat(batch.items().get(1)).isInstanceOf(RpcException.class);
        assertThat(((RpcMessage) batch.items().get(2)).kind()).isEqualTo(RpcMessage.Kind.NOTIFICATION);
        batch.release();
        assertThat(f.refCnt()).isEqualTo(1);
        f.release();
    }
}
