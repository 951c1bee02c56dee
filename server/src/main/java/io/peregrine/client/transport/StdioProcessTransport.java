package io.peregrine.client.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * MCP with a child process over its standard streams ({@code stdio:command args...}): the client
 * starts the server, writes one message a line to its stdin, reads one a line from its stdout, and
 * logs what it writes to stderr. Each link is one run of the process; when it exits the link is
 * closed, and a client that reconnects starts it again.
 *
 * <p>Pipes cannot be registered with a selector, so a daemon thread reads stdout with blocking
 * reads and hands each chunk to the link's event loop, where the same {@link NdjsonFrameDecoder}
 * as on TCP cuts lines; another writes to stdin, so that a child that stops reading never blocks
 * the event loop. Closing follows the stdio rules: close stdin, wait, then terminate, then kill.
 */
public final class StdioProcessTransport implements ClientTransport {

    private static final Logger log = LoggerFactory.getLogger(StdioProcessTransport.class);
    private static final long EXIT_WAIT_MILLIS = 2_000;

    private final List<String> command;
    private final Map<String, String> environment;
    private final Path directory;
    private final TransportSettings settings;
    private final Logger stderr;

    /**
     * @param environment variables added to the child's environment
     * @param directory   the child's working directory; null for this process's
     */
    public StdioProcessTransport(List<String> command, Map<String, String> environment, Path directory,
                                 TransportSettings settings) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command : [] (expected: a program and its arguments)");
        }
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.directory = directory;
        this.settings = settings;
        String program = Path.of(command.get(0)).getFileName().toString();
        this.stderr = LoggerFactory.getLogger("io.peregrine.client.stdio." + program.replaceAll("[^A-Za-z0-9_-]", "_"));
    }

    @Override
    public CompletableFuture<Link> open(EventLoop loop, LinkListener listener) {
        CompletableFuture<Link> opened = new CompletableFuture<>();
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(environment);
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            opened.completeExceptionally(new IOException("cannot start " + target() + ": " + e.getMessage(), e));
            return opened;
        }
        ProcessLink link = new ProcessLink(process, loop, listener);
        link.start();
        opened.complete(link);
        return opened;
    }

    /** Asks the process to terminate, with its own children first: {@code npx} and shells leave the real server below them. */
    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }

    @Override
    public boolean isLongLived() {
        return true;
    }

    @Override
    public String target() {
        return "stdio:" + String.join(" ", command);
    }

    @Override
    public String toString() {
        return target();
    }

    /** One run of the child process. */
    private final class ProcessLink implements Link {

        private final Process process;
        private final EventLoop loop;
        private final LinkListener listener;
        private final EmbeddedChannel framing;
        private final ExecutorService writer;
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private volatile boolean closing;

        ProcessLink(Process process, EventLoop loop, LinkListener listener) {
            this.process = process;
            this.loop = loop;
            this.listener = listener;
            this.framing = new EmbeddedChannel(new NdjsonFrameDecoder(settings.maxMessageBytes()),
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            if (msg instanceof ByteBuf) {
                                listener.onMessage((ByteBuf) msg);
                            } else if (msg instanceof NdjsonFrameDecoder.TooLongFrame) {
                                listener.onMessageTooLong(((NdjsonFrameDecoder.TooLongFrame) msg).limit());
                            } else {
                                ReferenceCountUtil.release(msg);
                            }
                        }
                    });
            this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, "peregrine-client-stdin"));
        }

        void start() {
            daemon(this::readStdout, "peregrine-client-stdout").start();
            daemon(this::readStderr, "peregrine-client-stderr").start();
        }

        private Thread daemon(Runnable r, String name) {
            Thread t = new Thread(r, name + "-" + process.pid());
            t.setDaemon(true);
            return t;
        }

        private void readStdout() {
            byte[] chunk = new byte[64 * 1024];
            InputStream in = process.getInputStream();
            try {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(n);
                    buf.writeBytes(chunk, 0, n);
                    try {
                        loop.execute(() -> framing.writeInbound(buf));
                    } catch (RejectedExecutionException e) {
                        buf.release();
                        return;
                    }
                }
            } catch (IOException e) {
                log.debug("reading the stdout of {} failed", target(), e);
            }
            String reason = exitReason();
            try {
                loop.execute(() -> ended(reason));
            } catch (RejectedExecutionException e) {
                closed.complete(null);
            }
        }

        private String exitReason() {
            try {
                if (process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    return "the server process exited with code " + process.exitValue();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "the server process closed its stdout";
        }

        private void ended(String reason) {
            framing.finishAndReleaseAll();
            writer.shutdownNow();
            if (process.isAlive()) {
                stop(process);
            }
            listener.onClosed(closing ? null : reason);
            closed.complete(null);
        }

        private void readStderr() {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    stderr.info("{}", line);
                }
            } catch (IOException e) {
                log.debug("reading the stderr of {} failed", target(), e);
            }
        }

        @Override
        public void send(Outbound message) {
            ByteBuf line = message.body().writeByte('\n');
            try {
                writer.execute(() -> write(message, line));
            } catch (RejectedExecutionException e) {
                line.release();
                message.deliveryFailed("the server process has ended");
                failed(message, "the server process has ended");
            }
        }

        private void write(Outbound message, ByteBuf line) {
            OutputStream out = process.getOutputStream();
            try {
                line.readBytes(out, line.readableBytes());
                out.flush();
                message.deliveredOk();
            } catch (IOException e) {
                message.deliveryFailed(e.getMessage());
                failed(message, "writing to its stdin failed: " + e.getMessage());
            } finally {
                line.release();
            }
        }

        private void failed(Outbound message, String why) {
            if (message.kind() == Outbound.Kind.REQUEST) {
                loop.execute(() -> listener.onRequestFailed(message.id(), 0, "cannot send " + message.describe()
                        + " to " + target() + ": " + why, null));
            }
        }

        @Override
        public boolean cancelByTransport(long id) {
            return false;
        }

        @Override
        public void protocolVersion(String version, boolean stateless) {
        }

        @Override
        public boolean isActive() {
            return !closing && process.isAlive();
        }

        @Override
        public CompletableFuture<Void> close() {
            if (closing) {
                return closed;
            }
            closing = true;
            // Off the event loop: the stdio rules ask to wait for the child, and waiting blocks.
            daemon(() -> {
                try {
                    writer.shutdown();
                    writer.awaitTermination(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                    process.getOutputStream().close();
                    if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                        stop(process);
                        if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                            process.descendants().forEach(ProcessHandle::destroyForcibly);
                            process.destroyForcibly();
                        }
                    }
                } catch (IOException e) {
                    stop(process);
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }, "peregrine-client-stop").start();
            return closed;
        }

        @Override
        public String toString() {
            return target() + " (pid " + process.pid() + ")";
        }
    }
}
