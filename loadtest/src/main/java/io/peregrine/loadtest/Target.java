package io.peregrine.loadtest;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The server a run is aimed at: Peregrine or the raw reference, started in this process on
 * 127.0.0.1 with one I/O thread, or a server already listening on this machine.
 */
final class Target implements AutoCloseable {

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

    /** The address of {@code HOST:PORT}; refuses anything that is not this machine. */
    static InetSocketAddress loopback(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("target : " + hostPort + " (expected: peregrine, raw or HOST:PORT)");
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

    /** {@code peregrine}, {@code raw}, or the {@code HOST:PORT} as given. */
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
