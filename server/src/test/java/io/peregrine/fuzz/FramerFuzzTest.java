package io.peregrine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The newline framer of TCP and stdio ({@link NdjsonFrameDecoder}).
 *
 * <p>Input: byte 0 sets the line limit (1 to 64), byte 1 seeds a random split of the rest into
 * reads, and the rest is the byte stream. Invariants: the frames are the same whether the stream
 * arrives in one read, one byte at a time or in random pieces (a read boundary changes nothing,
 * a CRLF split across two reads included); they are what a plain reading of the framing rule
 * gives (lines split at LF, one trailing CR dropped, blank lines skipped, a line longer than the
 * limit replaced by one too-long marker); every frame is a heap buffer without LF; nothing leaks.
 */
class FramerFuzzTest {

    private static final String TOO_LONG = "\u0000TOO_LONG";

    private final Fuzzing.Rhythm rhythm = new Fuzzing.Rhythm();

    @FuzzTest(maxDuration = "30s")
    void framesDoNotDependOnReadBoundaries(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int limit = 1 + (data[0] & 63);
        long seed = data[1];
        byte[] stream = Arrays.copyOfRange(data, 2, data.length);

        List<String> expected = reference(stream, limit);
        assertThat(frames(limit, List.of(stream))).as("one read").isEqualTo(expected);
        assertThat(frames(limit, bytewise(stream))).as("a byte per read").isEqualTo(expected);
        assertThat(frames(limit, randomSplit(stream, seed))).as("random reads").isEqualTo(expected);
        rhythm.afterInput();
    }

    private static List<String> frames(int limit, List<byte[]> reads) {
        EmbeddedChannel ch = new EmbeddedChannel(new NdjsonFrameDecoder(limit));
        List<String> frames = new ArrayList<>();
        try {
            for (byte[] read : reads) {
                ch.writeInbound(Unpooled.wrappedBuffer(read));
                drain(ch, frames, limit);
            }
        } finally {
            ch.finishAndReleaseAll();
        }
        return frames;
    }

    private static void drain(EmbeddedChannel ch, List<String> frames, int limit) {
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof NdjsonFrameDecoder.TooLongFrame) {
                assertThat(((NdjsonFrameDecoder.TooLongFrame) msg).limit()).isEqualTo(limit);
                frames.add(TOO_LONG);
                continue;
            }
            ByteBuf frame = (ByteBuf) msg;
            try {
                assertThat(frame.hasArray()).as("frames are heap buffers").isTrue();
                assertThat(frame.readableBytes()).isBetween(1, limit);
                assertThat(frame.indexOf(frame.readerIndex(), frame.writerIndex(), (byte) '\n')).isEqualTo(-1);
                frames.add(frame.toString(StandardCharsets.ISO_8859_1));
            } finally {
                frame.release();
            }
        }
    }

    /** The framing rule read plainly, over the whole stream at once. */
    static List<String> reference(byte[] stream, int limit) {
        String s = new String(stream, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int lf = s.indexOf('\n', start);
            if (lf < 0) {
                // An unfinished line is held back, unless it is already known to be too long.
                String rest = s.substring(start);
                if (dropCr(rest).length() > limit) {
                    out.add(TOO_LONG);
                }
                return out;
            }
            String line = dropCr(s.substring(start, lf));
            start = lf + 1;
            if (line.length() > limit) {
                out.add(TOO_LONG);
            } else if (!line.chars().allMatch(c -> c == ' ' || c == '\t' || c == '\r')) {
                out.add(line);
            }
        }
    }

    private static String dropCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static List<byte[]> bytewise(byte[] stream) {
        List<byte[]> reads = new ArrayList<>(stream.length);
        for (byte b : stream) {
            reads.add(new byte[] {b});
        }
        return reads;
    }

    private static List<byte[]> randomSplit(byte[] stream, long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<byte[]> reads = new ArrayList<>();
        int i = 0;
        while (i < stream.length) {
            int n = Math.min(stream.length - i, 1 + random.nextInt(16));
            reads.add(Arrays.copyOfRange(stream, i, i + n));
            i += n;
        }
        return reads;
    }
}
