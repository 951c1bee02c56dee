package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseParserTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[]}}                         | RESULT         | 7",
            "{\"result\":{\"text\":\"x\"},\"jsonrpc\":\"2.0\",\"id\":42}                         | RESULT         | 42",
            "{ \"jsonrpc\" : \"2.0\" , \"id\" : 3 , \"result\" : {} }                            | RESULT         | 3",
            "{\"jsonrpc\":\"2.0\",\"id\":8,\"error\":{\"code\":-32602,\"message\":\"no\"}}       | ERROR          | 8",
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse\"}} | ERROR          | NO_ID",
            "{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"result\":{}}                                    | MALFORMED      | NO_ID",
            "{\"jsonrpc\":\"2.0\",\"id\":7.5,\"result\":{}}                                      | MALFORMED      | NO_ID",
            "{\"jsonrpc\":\"2.0\",\"result\":{}}                                                 | MALFORMED      | NO_ID",
            "{\"jsonrpc\":\"2.0\",\"id\":9}                                                      | MALFORMED      | 9",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}           | NOT_A_RESPONSE | NO_ID",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}                                  | NOT_A_RESPONSE | 1",
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}]                                      | MALFORMED      | NO_ID",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"text\":\"unterminated}                  | RESULT         | 1",
            "not json                                                                            | MALFORMED      | NO_ID"})
    void judgesTheEnvelopeOnly(String message, ResponseParser.Kind kind, String id) {
        ResponseParser parser = new ResponseParser();
        ByteBuf buf = Unpooled.copiedBuffer(message, StandardCharsets.UTF_8);
        try {
            assertThat(parser.parse(buf)).isEqualTo(kind);
            assertThat(parser.id()).isEqualTo(id.equals("NO_ID") ? ResponseParser.NO_ID : Long.parseLong(id));
            assertThat(buf.readerIndex()).isZero();
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // keys of the envelope inside strings and nested objects are not the envelope's
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"content\":[{\"text\":\"\\\"error\\\":1,\\\"id\\\":6\"}]}} | RESULT | 5",
            "{\"jsonrpc\":\"2.0\",\"result\":{\"id\":6,\"error\":{}},\"id\":5}                                     | RESULT | 5",
            "{\"jsonrpc\":\"2.0\",\"result\":[{\"a\":\"]}\"},{\"id\":6}],\"id\":5}                                 | RESULT | 5"})
    void isNotFooledByNestedKeys(String message, ResponseParser.Kind kind, long id) {
        ResponseParser parser = new ResponseParser();
        ByteBuf buf = Unpooled.copiedBuffer(message, StandardCharsets.UTF_8);
        try {
            assertThat(parser.parse(buf)).isEqualTo(kind);
            assertThat(parser.id()).isEqualTo(id);
        } finally {
            buf.release();
        }
    }
}
