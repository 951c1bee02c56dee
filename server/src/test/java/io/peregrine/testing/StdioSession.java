package io.peregrine.testing;

import io.peregrine.Peregrine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A session with a server of its own serving MCP over stdio, in this process: the server reads
 * and writes streams backed by queues (not pipes, which fail once a writing thread has ended, and
 * the server writes from whichever thread finished a call).
 */
public final class StdioSession extends QueuedSession {

    private static final byte[] EOF = new byte[0];

    private final Peregrine server;
    private final BlockingQueue<byte[]> toServer = new LinkedBlockingQueue<>();
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();

    /** Builds the server from {@code spec} with stdio added (and TCP off), and starts it. */
    public StdioSession(Peregrine.Builder spec) throws InterruptedException {
        this.server = spec.noTcp().stdio(new QueueInput(), new LineOutput()).build();
        server.start();
    }

    @Override
    public McpSession send(String line) {
        return sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public McpSession sendBytes(byte[] bytes) {
        toServer.add(bytes.clone());
        return this;
    }

    @Override
    public Peregrine server() {
        return server;
    }

    @Override
    public void close() {
        toServer.add(EOF);
        server.close();
    }

    /** The server's stdin. */
    private final class QueueInput extends InputStream {
        private byte[] current = new byte[0];
        private int pos;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                while (pos == current.length) {
                    current = toServer.take();
                    pos = 0;
                    if (current == EOF) {
                        toServer.add(EOF);
                        return -1;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** The server's stdout, cut into lines. */
    private final class LineOutput extends OutputStream {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    messages.add(new String(partial.toByteArray(), StandardCharsets.UTF_8));
                    partial.reset();
                } else {
                    partial.write(b[i]);
                }
            }
        }
    }
}
