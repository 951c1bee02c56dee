package io.peregrine.testing;

import io.peregrine.rpc.JsonTree;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A session whose transport delivers messages on its own threads into a queue that the test reads. */
abstract class QueuedSession implements McpSession {

    /** Put on the queue when the server ends the session. */
    static final String CLOSED = "\u0000closed";

    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

    @Override
    public String readLine() throws IOException {
        String m = poll(10_000);
        if (m == null) {
            throw new IOException("no message from the server within 10 s");
        }
        return m == CLOSED ? null : m;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> readJson() throws IOException {
        String line = readLine();
        if (line == null) {
            throw new IOException("the server ended the session" + closeDetail());
        }
        return (Map<String, Object>) JsonTree.parse(line);
    }

    @Override
    public boolean silentFor(int millis) throws IOException {
        return poll(millis) == null;
    }

    /** Why the session ended, for messages. */
    String closeDetail() {
        return "";
    }

    private String poll(long millis) throws IOException {
        try {
            return messages.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
