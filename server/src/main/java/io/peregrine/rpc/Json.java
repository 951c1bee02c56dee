package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The one place where jackson-core parsers and generators are made, with the configured limits.
 *
 * <p>Parsers read straight from a {@link ByteBuf}: from its backing array when it has one (no
 * copy), otherwise through a stream. Generators write straight into a {@code ByteBuf}. Nothing here
 * builds a String of a whole message.
 */
public final class Json {

    /** Limits suitable for tests and embedding: 64 levels of nesting, 4 MiB strings. */
    public static final Json DEFAULT = new Json(64, 4 * 1024 * 1024);

    private final JsonFactory factory;
    private final int maxNestingDepth;

    public Json(int maxNestingDepth, int maxStringLength) {
        if (maxNestingDepth <= 0) {
            throw new IllegalArgumentException("maxNestingDepth : " + maxNestingDepth + " (expected: > 0)");
        }
        if (maxStringLength <= 0) {
            throw new IllegalArgumentException("maxStringLength : " + maxStringLength + " (expected: > 0)");
        }
        this.maxNestingDepth = maxNestingDepth;
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNestingDepth)
                        .maxStringLength(maxStringLength)
                        .maxNumberLength(1000)
                        .build())
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .build();
        factory.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        factory.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        factory.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    }

    public int maxNestingDepth() {
        return maxNestingDepth;
    }

    public JsonFactory factory() {
        return factory;
    }

    /** A parser over the readable bytes of {@code buf}; the buffer's indices are not moved. */
    public JsonParser parser(ByteBuf buf) throws IOException {
        if (buf.hasArray()) {
            return factory.createParser(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
        }
        return factory.createParser((java.io.InputStream) new ByteBufInputStream(buf.duplicate()));
    }

    public JsonParser parser(byte[] bytes) throws IOException {
        return factory.createParser(bytes);
    }

    public JsonParser parser(String json) throws IOException {
        return factory.createParser(json);
    }

    /** A generator appending to {@code out}; close it to flush. */
    public JsonGenerator generator(ByteBuf out) throws IOException {
        return factory.createGenerator((OutputStream) new ByteBufOutputStream(out));
    }

    /** Byte offset of the current token from the start of the parser's input. */
    public static long tokenOffset(JsonParser p) {
        return p.currentTokenLocation().getByteOffset();
    }
}
