package io.peregrine.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NdjsonFrameDecoderTest {

    static Stream<Arguments> framings() {
        return Stream.of(
                Arguments.of("one line", List.of("{}\n"), List.of("{}")),
                Arguments.of("CRLF", List.of("{\"a\":1}\r\n"), List.of("{\"a\":1}")),
                Arguments.of("two in one read", List.of("{}\n[]\n"), List.of("{}", "[]")),
                Arguments.of("split across reads", List.of("{\"a\"", ":1}", "\n"), List.of("{\"a\":1}")),
                Arguments.of("blank lines skipped", List.of("\n \n\r\n{}\n"), List.of("{}")),
                Arguments.of("incomplete kept", List.of("{}\n{\"x\""), List.of("{}")),
                Arguments.of("exactly the limit", List.of("0123456789\n"), List.of("0123456789")),
                Arguments.of("exactly the limit, CRLF split across reads", List.of("0123456789\r", "\n{}\n"),
                        List.of("0123456789", "{}")),
                Arguments.of("over the limit", List.of("01234567890\n{}\n"), List.of("TOO_LONG", "{}")),
                Arguments.of("over the limit before the newline arrives", List.of("0123456789012", "345\n{}\n"),
                        List.of("TOO_LONG", "{}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framings")
    void splitsLines(String name, List<String> reads, List<String> expected) {
        EmbeddedChannel ch = new EmbeddedChannel(new NdjsonFrameDecoder(10));
        for (String read : reads) {
            ch.writeInbound(Unpooled.copiedBuffer(read, StandardCharsets.UTF_8));
        }
        List<String> frames = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof NdjsonFrameDecoder.TooLongFrame) {
                assertThat(((NdjsonFrameDecoder.TooLongFrame) msg).limit()).isEqualTo(10);
                frames.add("TOO_LONG");
            } else {
                ByteBuf frame = (ByteBuf) msg;
                assertThat(frame.hasArray()).isTrue();
                frames.add(frame.toString(StandardCharsets.UTF_8));
                frame.release();
            }
        }
        assertThat(frames).isEqualTo(expected);
        ch.finishAndReleaseAll();
    }

    @Test
    void discardsAnOverlongLineWithoutBufferingIt() {
        EmbeddedChannel ch = new EmbeddedChannel(new NdjsonFrameDecoder(10));
        ch.writeInbound(Unpooled.copiedBuffer("x".repeat(1000), StandardCharsets.UTF_8));
        assertThat((Object) ch.readInbound()).isInstanceOf(NdjsonFrameDecoder.TooLongFrame.class);
        for (int i = 0; i < 100; i++) {
            ch.writeInbound(Unpooled.copiedBuffer("x".repeat(1000), StandardCharsets.UTF_8));
        }
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(Unpooled.copiedBuffer("x\n{}\n", StandardCharsets.UTF_8));
        ByteBuf frame = ch.readInbound();
        assertThat(frame.toString(StandardCharsets.UTF_8)).isEqualTo("{}");
        frame.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void rejectsANonPositiveLimit() {
        assertThatThrownBy(() -> new NdjsonFrameDecoder(0)).hasMessage("maxLength : 0 (expected: > 0)");
    }
}
