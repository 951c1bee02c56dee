package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One JSON document being written into a {@link ByteBuf}, with a generator that is reused from
 * document to document on the same thread (see {@link JsonInput} for why). The generator writes
 * into an output stream whose target buffer changes per document; closing flushes the document
 * into the buffer. A generator left mid-document by a failure is dropped.
 */
public final class JsonOutput implements AutoCloseable {

    private static final int DOCUMENTS_PER_GENERATOR = 100_000;

    private final JsonFactory factory;
    private final Target target = new Target();
    private JsonGenerator generator;
    private int documents;
    private boolean inUse;

    JsonOutput(JsonFactory factory) {
        this.factory = factory;
    }

    JsonOutput begin(ByteBuf out) throws IOException {
        if (generator == null || documents >= DOCUMENTS_PER_GENERATOR) {
            generator = factory.createGenerator(target);
            documents = 0;
        }
        target.buf = out;
        documents++;
        inUse = true;
        return this;
    }

    boolean isInUse() {
        return inUse;
    }

    public JsonGenerator generator() {
        return generator;
    }

    /** Flushes the document into its buffer. */
    @Override
    public void close() throws IOException {
        inUse = false;
        try {
            if (!generator.getOutputContext().inRoot()) {
                generator = null;
                throw new IOException("JSON document left incomplete");
            }
            generator.flush();
        } catch (IOException | RuntimeException e) {
            generator = null;
            throw e;
        } finally {
            target.buf = null;
        }
    }

    /** The stream the generator flushes into: whichever buffer the current document goes to. */
    private static final class Target extends OutputStream {
        ByteBuf buf;

        @Override
        public void write(int b) {
            buf.writeByte(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buf.writeBytes(b, off, len);
        }
    }
}
