package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.base.ParserBase;
import io.netty.buffer.ByteBuf;

import java.io.IOException;

/**
 * One JSON document being read from a {@link ByteBuf}, with a parser that is reused from document
 * to document on the same thread.
 *
 * <p>Making a jackson-core parser costs several hundred bytes of short-lived objects (the parser,
 * its I/O context, symbol table view and read contexts), which would be most of the garbage of a
 * small request. A non-blocking parser, however, reads a stream of root-level values, so one per
 * thread is fed document after document and never rebuilt. Closing an input skips whatever the
 * reader left of the document, so the parser is back between values for the next one; a parser
 * that failed is dropped and replaced. A nested read on the same thread (rare) gets a parser of its
 * own, and so does a large document (a blocking parser, which skips without decoding). Every so many documents the parser is replaced anyway, so that its symbol table cannot grow
 * without bound from ever-new field names.
 */
public final class JsonInput implements AutoCloseable {

    private static final int DOCUMENTS_PER_PARSER = 100_000;

    private final JsonFactory factory;
    private final boolean shared;
    private JsonParser parser;
    private ByteArrayFeeder feeder;
    private long fed;
    private long base;
    private int documents;
    private boolean inUse;
    private boolean broken;

    JsonInput(JsonFactory factory, boolean shared) {
        this.factory = factory;
        this.shared = shared;
    }

    /** Starts reading the readable bytes of {@code buf} (which is not modified). */
    JsonInput begin(ByteBuf buf) throws IOException {
        if (!shared) {
            beginBlocking(buf);
            return this;
        }
        if (parser == null || broken || documents >= DOCUMENTS_PER_PARSER) {
            parser = factory.createNonBlockingByteArrayParser();
            feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
            fed = 0;
            documents = 0;
            broken = false;
        }
        int length = buf.readableBytes();
        base = fed;
        if (buf.hasArray()) {
            int start = buf.arrayOffset() + buf.readerIndex();
            feeder.feedInput(buf.array(), start, start + length);
        } else {
            byte[] copy = new byte[length];
            buf.getBytes(buf.readerIndex(), copy);
            feeder.feedInput(copy, 0, length);
        }
        fed += length;
        documents++;
        inUse = true;
        return this;
    }

    /**
     * A one-off input reads with a blocking parser, which skips values without decoding them.
     * Its token counter and read position follow the same conventions as the non-blocking
     * parser's, relative to the document's first byte.
     */
    private void beginBlocking(ByteBuf buf) throws IOException {
        Json.requireUtf8(buf);
        int length = buf.readableBytes();
        if (buf.hasArray()) {
            parser = factory.createParser(buf.array(), buf.arrayOffset() + buf.readerIndex(), length);
        } else {
            byte[] copy = new byte[length];
            buf.getBytes(buf.readerIndex(), copy);
            parser = factory.createParser(copy);
        }
        base = 0;
        inUse = true;
    }

    boolean isInUse() {
        return inUse;
    }

    public JsonParser parser() {
        return parser;
    }

    /** Where the current START_OBJECT or START_ARRAY token begins, counted from the document's first byte. */
    public int startOffset() {
        return (int) (tokenOffset() - base - 1);
    }

    /** Just past the current END_OBJECT or END_ARRAY token, counted from the document's first byte. */
    public int endOffset() {
        // The parser has consumed exactly the closing bracket; its read position is just past it.
        return (int) (parser.currentLocation().getByteOffset() - base);
    }

    private long tokenOffset() {
        // A structure's opening bracket is always consumed as the token's own first byte, so the
        // parser's token counter (read without allocating a location object) is just past it.
        return ((ParserBase) parser).getTokenCharacterOffset();
    }

    /**
     * Marks the parser unusable, for a reader that stopped in the middle of something it could
     * not make sense of.
     */
    public void discard() {
        broken = true;
    }

    /**
     * Ends the document: skips what the reader left of it, so the parser is ready for the next.
     * A parser that cannot get there cleanly (malformed or truncated input) is replaced.
     */
    @Override
    public void close() {
        inUse = false;
        if (!shared) {
            release();
            return;
        }
        if (broken) {
            release();
            return;
        }
        try {
            JsonToken t;
            while ((t = parser.nextToken()) != JsonToken.NOT_AVAILABLE) {
                if (t == null) {
                    broken = true;
                    break;
                }
                if (parser.getParsingContext().inRoot() && t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
                    // A second root value: the caller read past its document; do not carry it over.
                    broken = true;
                    break;
                }
            }
            if (!broken && !parser.getParsingContext().inRoot()) {
                broken = true;
            }
        } catch (IOException e) {
            broken = true;
        }
        if (broken) {
            release();
        }
    }

    private void release() {
        if (!shared) {
            try {
                parser.close();
            } catch (IOException ignored) {
                // nothing to release beyond buffers
            }
        }
        parser = null;
    }
}
