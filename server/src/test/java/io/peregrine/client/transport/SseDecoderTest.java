package io.peregrine.client.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The event-stream rules, on whole streams and on streams cut into chunks at every byte. */
class SseDecoderTest {

    private final List<String> events = new ArrayList<>();
    private final List<Long> retries = new ArrayList<>();

    private SseDecoder decoder(int max) {
        return new SseDecoder(UnpooledByteBufAllocator.DEFAULT, max, new SseDecoder.Events() {
            @Override
            public void onEvent(String id, ByteBuf data) {
                events.add(id + "|" + data.toString(StandardCharsets.UTF_8));
                data.release();
            }

            @Override
            public void onRetry(long millis) {
                retries.add(millis);
            }
        });
    }

    private static ByteBuf utf8(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            // stream ; events, each id|data, joined by ' / '
            "'data: {\"a\":1}\n\n' ; null|{\"a\":1}",
            "'id: 1_0\ndata: \n\nid: 1_1\ndata: x\n\n' ; 1_1|x",
            "'data:no space\r\n\r\n' ; null|no space",
            "'data: a\rdata: b\r\r' ; null|a<LF>b",
            "': keep-alive\n\ndata: y\n\n' ; null|y",
            "'event: message\ndata: z\nunknown: 1\n\n' ; null|z",
            "'data: q\n\ndata: r\n\n' ; null|q / null|r",
            "'id: 7\n\ndata: s\n\n' ; 7|s",
            "'data: unfinished\n' ; ''",
    })
    void decodesTheStandardsCases(String stream, String expected) throws Exception {
        List<String> want = new ArrayList<>();
        if (!expected.isEmpty()) {
            for (String e : expected.split(" / ")) {
                want.add(e.replace("<LF>", "\n"));
            }
        }

        SseDecoder whole = decoder(1024);
        whole.decode(utf8(stream));
        assertThat(events).containsExactlyElementsOf(want);
        whole.release();

        events.clear();
        SseDecoder bytewise = decoder(1024);
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            bytewise.decode(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(events).as("cut at every byte").containsExactlyElementsOf(want);
        bytewise.release();
    }

    @Test
    void theLastEventIdSurvivesEventsWithoutDataAndRetryIsReported() throws Exception {
        SseDecoder d = decoder(1024);
        d.decode(utf8("retry: 250\nid: 3_0\ndata:\n\n"));
        assertThat(events).isEmpty();
        assertThat(d.lastEventId()).isEqualTo("3_0");
        assertThat(retries).containsExactly(250L);
        d.release();
    }

    @Test
    void aLineOrEventOverTheLimitIsRefused() throws Exception {
        SseDecoder line = decoder(8);
        assertThatThrownBy(() -> line.decode(utf8("data: 0123456789\n\n")))
                .isInstanceOf(SseDecoder.TooLongException.class).hasMessageContaining("maxMessageBytes (8 bytes)");
        line.release();
        SseDecoder event = decoder(10);
        assertThatThrownBy(() -> event.decode(utf8("data: 1234\ndata: 1234\ndata: 1234\n\n")))
                .isInstanceOf(SseDecoder.TooLongException.class).hasMessageContaining("event");
        event.release();
    }
}
