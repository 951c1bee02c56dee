package io.peregrine.gateway.discovery;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's dnsmasq as an authoritative-for-the-test DNS server on a loopback port: A records from
 * an addn-hosts file (re-read on SIGHUP), SRV and their targets' A records from the command line
 * (changed by restarting it on the same port), every TTL 1 s.
 */
final class Dnsmasq implements AutoCloseable {

    private final String binary;
    private int port;
    private final Path hosts;
    private ExternalProcess process;

    Dnsmasq(Path dir) throws Exception {
        this.binary = ExternalProcess.require("dnsmasq", "dnsmasq");
        this.port = ExternalProcess.freeUdpAndTcpPort();
        this.hosts = dir.resolve("hosts");
        Files.writeString(hosts, "");
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** Writes the addn-hosts file ({@code address name} lines). */
    void hosts(String lines) throws Exception {
        Files.writeString(hosts, lines);
    }

    /** Makes dnsmasq read the hosts file again. */
    void reload() throws Exception {
        process.signal("HUP");
    }

    /**
     * (Re)starts dnsmasq with these {@code --srv-host} and {@code --host-record} values. The port
     * is let go just before dnsmasq binds it: should another process take it in that instant, the
     * first start moves to another port, a restart tries the same one again (bounded).
     */
    void start(List<String> srvHosts, List<String> hostRecords) throws Exception {
        boolean first = process == null && !started;
        stop();
        for (int attempt = 1; ; attempt++) {
            try {
                launch(srvHosts, hostRecords);
                started = true;
                return;
            } catch (java.io.IOException e) {
                if (attempt == 5 || !e.getMessage().contains("Address already in use")) {
                    throw e;
                }
                if (first) {
                    port = ExternalProcess.freeUdpAndTcpPort();
                } else {
                    Thread.sleep(200);
                }
            }
        }
    }

    private boolean started;

    private void launch(List<String> srvHosts, List<String> hostRecords) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(binary, "--no-daemon", "--conf-file=/dev/null", "--port=" + port,
                "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--addn-hosts=" + hosts, "--local-ttl=1", "--user=" + System.getProperty("user.name"), "--pid-file=",
                "--log-facility=-"));
        srvHosts.forEach(s -> cmd.add("--srv-host=" + s));
        hostRecords.forEach(h -> cmd.add("--host-record=" + h));
        process = ExternalProcess.start("dnsmasq", cmd, "started, version");
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
