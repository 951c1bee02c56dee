package io.peregrine.loadtest;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The server a run is aimed at: Peregrine or the raw reference, started in this process on
 * 127.0.0.1 with one I/O thread; the official MCP Java SDK on Tomcat ({@code sdk}), started as a
 * child JVM; or a server already listening on this machine.
 */
final class Target implements AutoCloseable {

    /** The system property naming the classpath of {@code loadtest/sdk-server}. */
    static final String SDK_CLASSPATH = "loadtest.sdk.classpath";
    /** The system property with the SDK server's JVM options, split at spaces. */
    static final String SDK_JAVA_OPTS = "loadtest.sdk.javaOpts";
    /** Where the SDK server's standard error goes. */
    static final java.io.File SDK_LOG = new java.io.File(System.getProperty("java.io.tmpdir"), "peregrine-loadtest-sdk-server.log");

    private final String name;
    private final InetSocketAddress address;
    private final Runnable stop;

    private Target(String name, InetSocketAddress address, Runnable stop) {
        this.name = name;
        this.address = address;
        this.stop = stop;
    }

    /**
     * Starts {@code peregrine} or {@code raw}, or resolves {@code HOST:PORT} ({@code [::1]:PORT}
     * for IPv6), which must be a loopback address.
     */
    static Target start(String spec, Transport transport, Era era, int payloadBytes) throws InterruptedException {
        int maxMessageBytes = LoadSettings.maxMessageBytes(payloadBytes);
        switch (spec) {
            case "peregrine":
                return startPeregrine(transport, maxMessageBytes);
            case "raw": {
                RawEchoServer raw = RawEchoServer.start(transport, era, payloadBytes, 1);
                return new Target(spec, raw.address(), raw::close);
            }
            case "sdk":
                return startSdk(transport, era);
            default:
                return new Target(spec, loopback(spec), () -> { });
        }
    }

    private static Target startPeregrine(Transport transport, int maxMessageBytes) throws InterruptedException {
        Peregrine.Builder b = Peregrine.builder()
                .tool(EchoTool.create())
                .ioThreads(1)
                .maxLineLength(maxMessageBytes)
                .maxStringLength(maxMessageBytes);
        Peregrine peregrine = (transport == Transport.TCP
                ? b.tcp("127.0.0.1", 0)
                : b.noTcp().http("127.0.0.1", 0).maxFrameBytes(maxMessageBytes)).build();
        Peregrine.BoundAddresses bound = peregrine.start();
        return new Target("peregrine", transport == Transport.TCP ? bound.tcp() : bound.http(), peregrine::close);
    }

    /**
     * Starts {@code loadtest/sdk-server} in a JVM of its own: its classpath is the system property
     * {@value #SDK_CLASSPATH} (set by {@code loadtest/run}, which builds it), its JVM options
     * {@value #SDK_JAVA_OPTS} (default: the same fixed heap and collector as the generator's).
     */
    private static Target startSdk(Transport transport, Era era) {
        if (transport != Transport.HTTP || era != Era.V2025_11_25) {
            throw new IllegalArgumentException("target : sdk over " + transport + ", era " + era
                    + " (expected: --transport http --era 2025-11-25; the SDK serves Streamable HTTP up to 2025-11-25)");
        }
        String classpath = System.getProperty(SDK_CLASSPATH);
        if (classpath == null || classpath.isBlank()) {
            throw new IllegalStateException("target sdk: the system property " + SDK_CLASSPATH + " is not set"
                    + " (run through loadtest/run, which builds loadtest/sdk-server and sets it)");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of(System.getProperty(SDK_JAVA_OPTS,
                "-Xms1g -Xmx1g -XX:+UseParallelGC -XX:+AlwaysPreTouch").trim().split("\\s+")));
        command.addAll(List.of("-cp", classpath, "io.peregrine.loadtest.sdk.SdkEchoServer", "0"));
        Process process;
        try {
            // Tomcat's start-up and shutdown chatter goes to a file, not between the summaries.
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(SDK_LOG)).start();
        } catch (IOException e) {
            throw new IllegalStateException("target sdk: cannot start " + command + ": " + e.getMessage(), e);
        }
        Runnable stop = () -> {
            try {
                process.getOutputStream().close(); // the server stops when its standard input closes
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        };
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l; (l = out.readLine()) != null; ) {
                        if (l.startsWith("listening on ")) {
                            return l;
                        }
                    }
                    return null;
                } catch (IOException e) {
                    return null;
                }
            });
            String listening = line.get(30, TimeUnit.SECONDS);
            if (listening == null) {
                throw new IllegalStateException("target sdk: the server exited before listening (see " + SDK_LOG + ")");
            }
            // listening on http://127.0.0.1:PORT/mcp
            String hostPort = listening.substring("listening on http://".length(), listening.lastIndexOf('/'));
            return new Target("sdk", loopback(hostPort), stop);
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            stop.run();
            throw e instanceof IllegalStateException ? (IllegalStateException) e
                    : new IllegalStateException("target sdk: did not start within 30 s", e);
        }
    }

    /** The address of {@code HOST:PORT}; refuses anything that is not this machine. */
    static InetSocketAddress loopback(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("target : " + hostPort + " (expected: peregrine, raw, sdk or HOST:PORT)");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("target : " + hostPort + " (expected: a numeric port)");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("target : " + hostPort + " (unknown host)");
        }
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("target : " + hostPort + " (expected: a loopback address; load is only"
                    + " ever aimed at this machine)");
        }
        return new InetSocketAddress(address, port);
    }

    /** {@code peregrine}, {@code raw}, {@code sdk}, or the {@code HOST:PORT} as given. */
    String name() {
        return name;
    }

    InetSocketAddress address() {
        return address;
    }

    /** Stops the server if it was started here. */
    @Override
    public void close() {
        stop.run();
    }
}
