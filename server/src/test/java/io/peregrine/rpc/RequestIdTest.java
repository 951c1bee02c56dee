package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** An id decoded from a message is written back exactly as it was written, and equals the same id made in code. */
class RequestIdTest {

    private final EnvelopeDecoder decoder = new EnvelopeDecoder(new Json(8, 1024), new KnownStrings(List.of("ping")));

    private RequestId decoded(String id) {
        byte[] bytes = ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}").getBytes(StandardCharsets.UTF_8);
        ByteBuf frame = Unpooled.wrappedBuffer(bytes);
        RpcMessage m = (RpcMessage) decoder.decode(frame);
        try {
            return m.id();
        } finally {
            m.release();
        }
    }

    private static String written(RequestId id) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.DEFAULT.factory().createGenerator(out)) {
            id.writeTo(g);
        }
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "7", "1023", "1024", "65536", "2147483647", "2147483648", "123456789012",
            "-1", "-7000", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
            "123456789012345678901234567890", "\"abc\"", "\"1024\"", "\"\""})
    void anIdRoundTripsAsWritten(String id) throws Exception {
        RequestId d = decoded(id);
        assertThat(written(d)).isEqualTo(id);
        assertThat(d.toString()).isEqualTo(id);
        assertThat(d.isNumber()).isEqualTo(!id.startsWith("\""));
        assertThat(d).isEqualTo(decoded(id)).hasSameHashCodeAs(decoded(id));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 1023, 1024, 99_999, -5, Long.MAX_VALUE, Long.MIN_VALUE})
    void anIntegerIdDecodedEqualsTheSameIdMadeInCode(long value) throws Exception {
        RequestId d = decoded(Long.toString(value));
        assertThat(d).isEqualTo(RequestId.of(value)).hasSameHashCodeAs(RequestId.of(value));
        assertThat(d.text()).isEqualTo(Long.toString(value));
        assertThat(d.longValue(-1)).isEqualTo(value);
        assertThat(written(RequestId.of(value))).isEqualTo(Long.toString(value));
    }

    @Test
    void idsOfDifferentKindsOrValuesDiffer() {
        assertThat(decoded("1024")).isNotEqualTo(decoded("\"1024\"")).isNotEqualTo(decoded("1025"));
        assertThat(decoded("\"5\"").longValue(-1)).isEqualTo(-1);
        assertThat(decoded("123456789012345678901234567890").longValue(-1)).isEqualTo(-1);
        assertThat(RequestId.digits(0)).isEqualTo(1);
        assertThat(RequestId.digits(-10)).isEqualTo(3);
        assertThat(RequestId.digits(Long.MAX_VALUE)).isEqualTo(19);
    }
}
