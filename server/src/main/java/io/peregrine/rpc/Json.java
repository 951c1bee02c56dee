package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.util.concurrent.FastThreadLocal;

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

    /**
     * Documents up to this size go to the thread's shared non-blocking parser. Larger ones get a
     * blocking parser of their own: the non-blocking parser decodes every string it passes, even
     * one being skipped, which for a large argument costs more than a new parser does.
     */
    private static final int SHARED_PARSER_MAX_DOCUMENT = 2048;

    private final JsonFactory factory;
    private final int maxNestingDepth;
    private final int maxStringLength;
    private final FastThreadLocal<JsonInput> inputs = new FastThreadLocal<>() {
        @Override
        protected JsonInput initialValue() {
            return new JsonInput(factory, true);
        }
    };
    private final FastThreadLocal<JsonOutput> outputs = new FastThreadLocal<>() {
        @Override
        protected JsonOutput initialValue() {
            return new JsonOutput(factory);
        }
    };

    public Json(int maxNestingDepth, int maxStringLength) {
        if (maxNestingDepth <= 0) {
            throw new IllegalArgumentException("maxNestingDepth : " + maxNestingDepth + " (expected: > 0)");
        }
        if (maxStringLength <= 0) {
            throw new IllegalArgumentException("maxStringLength : " + maxStringLength + " (expected: > 0)");
        }
        this.maxNestingDepth = maxNestingDepth;
        this.maxStringLength = maxStringLength;
        JsonFactoryBuilder builder = new JsonFactoryBuilder();
        builder.streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(maxNestingDepth)
                .maxStringLength(maxStringLength)
                .maxNumberLength(1000)
                .build());
        builder.disable(JsonFactory.Feature.INTERN_FIELD_NAMES);
        // Reused generators write document after document; nothing may separate them.
        builder.rootValueSeparator((String) null);
        this.factory = builder.build();
        factory.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        factory.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        factory.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    }

    /**
     * Starts reading the readable bytes of {@code buf} as one JSON document, with this thread's
     * reusable parser when it is free. Close the input when done (try-with-resources).
     */
    public JsonInput read(ByteBuf buf) throws IOException {
        if (buf.readableBytes() <= SHARED_PARSER_MAX_DOCUMENT) {
            JsonInput shared = inputs.get();
            if (!shared.isInUse()) {
                return shared.begin(buf);
            }
        }
        return new JsonInput(factory, false).begin(buf);
    }

    /**
     * Starts writing one JSON document into {@code out}, with this thread's reusable generator when
     * it is free. Close the output to flush the document into the buffer.
     */
    public JsonOutput write(ByteBuf out) throws IOException {
        JsonOutput shared = outputs.get();
        if (!shared.isInUse()) {
            return shared.begin(out);
        }
        return new JsonOutput(factory).begin(out);
    }

    public int maxNestingDepth() {
        return maxNestingDepth;
    }

    /** The longest string the parser reads, in characters. */
    public int maxStringLength() {
        return maxStringLength;
    }

    public JsonFactory factory() {
        return factory;
    }

    /**
     * Refuses bytes that Jackson, reading from bytes, would take for UTF-16 or UTF-32: a zero byte
     * among the first four, or a byte-order mark's 0xFE or 0xFF among the first two. A JSON-RPC
     * message is UTF-8 text (RFC 8259, 8.1), where none of them can stand there, so this is the
     * parse error that UTF-8 reading finds; without it, {@code 00 34} would read as the number 4.
     */
    public static void requireUtf8(ByteBuf buf) throws JsonParseException {
        int n = Math.min(4, buf.readableBytes());
        for (int i = 0; i < n; i++) {
            requireUtf8(i, buf.getByte(buf.readerIndex() + i));
        }
    }

    private static void requireUtf8(byte[] bytes) throws JsonParseException {
        int n = Math.min(4, bytes.length);
        for (int i = 0; i < n; i++) {
            requireUtf8(i, bytes[i]);
        }
    }

    private static void requireUtf8(int offset, byte value) throws JsonParseException {
        int b = value & 0xFF;
        if (b == 0 || (offset < 2 && (b == 0xFE || b == 0xFF))) {
            throw new JsonParseException((JsonParser) null, String.format("unexpected byte 0x%02X at offset %d: "
                    + "a JSON-RPC message is UTF-8 text, where this byte cannot begin it", b, offset));
        }
    }

    /** A parser over the readable bytes of {@code buf}, read as UTF-8; the buffer's indices are not moved. */
    public JsonParser parser(ByteBuf buf) throws IOException {
        requireUtf8(buf);
        if (buf.hasArray()) {
            return factory.createParser(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
        }
        return factory.createParser((java.io.InputStream) new ByteBufInputStream(buf.duplicate()));
    }

    public JsonParser parser(byte[] bytes) throws IOException {
        requireUtf8(bytes);
        return factory.createParser(bytes);
    }

    public JsonParser parser(String json) throws IOException {
        return factory.createParser(json);
    }

    /** A generator appending to {@code out}; close it to flush. */
    public JsonGenerator generator(ByteBuf out) throws IOException {
        return factory.createGenerator((OutputStream) new ByteBufOutputStream(out));
    }

}
