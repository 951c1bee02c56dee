package io.peregrine.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.peregrine.rpc.JsonTree;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What an idle session costs the server: starts Peregrine (or the raw reference) in a JVM of its
 * own ({@link ServeMain}), opens a first batch of sessions and measures the server's heap after
 * full collections and its resident set, opens the rest, measures again, and reports the
 * difference per session. The first batch keeps one-time costs (classes loaded, pools created by
 * the first connections) out of the figure.
 *
 * <p>A session is a WebSocket connection that completed the upgrade and the 2025-11-25
 * {@code initialize} handshake and then sends nothing. Connections come from several source
 * addresses, 127.0.0.1 to 127.0.0.N, so that ephemeral ports do not run short. Each side needs a
 * file descriptor per session: the run is capped below this process's limit.
 *
 * <pre>{@code
 *   loadtest/run memory [--sessions 20000] [--sources 4] [--transport ws|tcp|http] [--target peregrine|raw]
 *                       [--json FILE] [--histogram FILE]
 * }</pre>
 */
public final class MemoryMain {

    private static final int BATCH = 1000;
    private static final int FIRST = 500;
    /** Descriptors each process keeps for itself: jars, epoll, pipes, listeners. */
    private static final int RESERVED_FDS = 300;

    private MemoryMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("sessions", "20000", "sources", "4", "transport", "ws",
                "target", "peregrine"));
        o.put("histogram", "");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--") || !o.containsKey(args[i].substring(2)) && !args[i].equals("--json") && !args[i].equals("--histogram")) {
                System.err.println("unknown option: " + args[i]);
                System.exit(64);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        int asked = Integer.parseInt(o.get("sessions"));
        int sources = Integer.parseInt(o.get("sources"));
        if (asked <= FIRST || sources < 1 || sources > 250) {
            System.err.println("--sessions " + asked + ", --sources " + sources + " (expected: sessions > " + FIRST
                    + ", sources 1..250)");
            System.exit(64);
        }
        Transport transport = Transport.of(o.get("transport"));
        long fdLimit = openFileLimit();
        int sessions = (int) Math.min(asked, fdLimit - RESERVED_FDS);
        if (sessions < asked) {
            System.out.printf(Locale.ROOT, "open files are limited to %,d per process here: %,d sessions instead of %,d%n",
                    fdLimit, sessions, asked);
        }

        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(List.of(System.getProperty("loadtest.memory.serverOpts", "-Xmx1g -XX:+UseParallelGC").trim()
                .split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServeMain.class.getName(), o.get("target"),
                transport.toString()));
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader serverOut = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        Writer serverIn = new OutputStreamWriter(server.getOutputStream(), StandardCharsets.UTF_8);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("memory", true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        List<Channel> channels = new ArrayList<>(sessions);
        try {
            String listening = readLine(serverOut, "listening ");
            String hostPort = listening.substring("listening ".length());
            InetSocketAddress address = Target.loopback(hostPort);
            LoadSettings settings = LoadSettings.builder(address).transport(transport).connections(1).depth(1).build();
            RequestEncoder requests = new RequestEncoder(settings.era(), settings.tool(), settings.payloadBytes(),
                    transport.newlineDelimited(), null);
            Histogram unused = new Histogram(LoadConnection.HIGHEST_MICROS, 3);
            MeasureWindow window = new MeasureWindow(Long.MAX_VALUE);
            Bootstrap bootstrap = new Bootstrap().group(group)
                    .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);

            long start = System.nanoTime();
            open(bootstrap, settings, requests, window, unused, address, sources, channels, FIRST);
            long[] before = measure(serverIn, serverOut);
            open(bootstrap, settings, requests, window, unused, address, sources, channels, sessions);
            double openSeconds = (System.nanoTime() - start) / 1e9;
            long[] after = measure(serverIn, serverOut);
            if (!o.get("histogram").isEmpty()) {
                classHistogram(server.pid(), Path.of(o.get("histogram")));
            }
            int added = sessions - FIRST;
            int closed = (int) channels.stream().filter(ch -> !ch.isActive()).count();

            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", o.get("target"));
            m.put("transport", transport.toString());
            m.put("sessions", sessions);
            m.put("sessionsAsked", asked);
            m.put("sources", sources);
            m.put("closedByServer", closed);
            m.put("secondsToOpen", Math.round(openSeconds * 10) / 10.0);
            m.put("heapBytesAt" + FIRST, before[0]);
            m.put("heapBytesAtAll", after[0]);
            m.put("rssBytesAt" + FIRST, before[1]);
            m.put("rssBytesAtAll", after[1]);
            m.put("heapBytesPerSession", (after[0] - before[0]) / added);
            m.put("rssBytesPerSession", (after[1] - before[1]) / added);
            m.put("serverJvmOptions", String.join(" ", command.subList(1, command.indexOf("-cp"))));
            m.put("jvm", Runtime.version().toString());
            System.out.printf(Locale.ROOT, "%s %s: %,d idle sessions (from %d source addresses, opened in %.1f s, %d closed"
                            + " by the server): heap %,d B per session, RSS %,d B per session%n",
                    o.get("target"), transport, sessions, sources, openSeconds, closed, m.get("heapBytesPerSession"),
                    m.get("rssBytesPerSession"));
            if (o.containsKey("json")) {
                Path file = Path.of(o.get("json"));
                if (file.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(file.toAbsolutePath().getParent());
                }
                Files.writeString(file, JsonTree.toJson(m) + "\n");
            }
        } finally {
            for (Channel ch : channels) {
                ch.close();
            }
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            try {
                serverIn.write("quit\n");
                serverIn.close();
            } catch (IOException e) {
                // already gone
            }
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** Opens sessions until there are {@code total}, {@link #BATCH} at a time. */
    private static void open(Bootstrap bootstrap, LoadSettings settings, RequestEncoder requests, MeasureWindow window,
                             Histogram unused, InetSocketAddress server, int sources, List<Channel> channels, int total)
            throws Exception {
        while (channels.size() < total) {
            int n = Math.min(BATCH, total - channels.size());
            List<CompletableFuture<Void>> ready = new ArrayList<>(n);
            List<ChannelFuture> connects = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                LoadConnection c = new LoadConnection(requests, settings.transport(), settings.era(), window, unused, 1);
                InetSocketAddress local = new InetSocketAddress("127.0.0." + (1 + channels.size() % sources), 0);
                ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        settings.transport().addClientCodec(ch.pipeline(), settings, 0);
                        ch.pipeline().addLast(c);
                    }
                }).connect(server, local);
                channels.add(f.channel());
                connects.add(f);
                ready.add(c.ready());
            }
            for (ChannelFuture f : connects) {
                if (!f.await(10_000) || !f.isSuccess()) {
                    throw new IllegalStateException("cannot connect session " + channels.size() + " to " + server, f.cause());
                }
            }
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Writes the top of the server's class histogram (live objects, after a full collection) with
     * {@code jcmd}: which classes the sessions' heap is made of.
     */
    private static void classHistogram(long pid, Path file) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        List<String> lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .lines().limit(100).toList();
        p.waitFor(30, TimeUnit.SECONDS);
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.write(file, lines);
    }

    /** {heap, rss} of the server. */
    private static long[] measure(Writer serverIn, BufferedReader serverOut) throws IOException {
        serverIn.write("measure\n");
        serverIn.flush();
        String[] f = readLine(serverOut, "heap ").split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[3])};
    }

    private static String readLine(BufferedReader in, String prefix) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("the server exited before printing '" + prefix + "...'");
    }

    /** This process's limit on open files, from {@code /proc/self/limits}. */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no cap known
        }
        return Long.MAX_VALUE;
    }
}
