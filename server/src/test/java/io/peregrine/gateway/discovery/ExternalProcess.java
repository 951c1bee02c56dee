package io.peregrine.gateway.discovery;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A Debian daemon (dnsmasq, etcd) started by a test in the foreground: ready when a line of its
 * output says so, its output kept for the failure message, killed at the end.
 */
final class ExternalProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final StringBuilder output = new StringBuilder();

    private ExternalProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    /** Skips the test, saying why, when {@code binary} is not installed (.ci/run installs it). */
    static String require(String binary, String debianPackage) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/bin", "/sbin", "/bin")) {
            File f = new File(dir, binary);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        assumeTrue(false, binary + " is not installed (apt-get install " + debianPackage + "; .ci/run installs it)");
        return null;
    }

    /** Starts {@code command} and waits until a line of its output contains {@code ready}. */
    static ExternalProcess start(String name, List<String> command, String ready) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        ExternalProcess e = new ExternalProcess(name, p);
        CountDownLatch seen = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (e.output) {
                        if (e.output.length() < 16_384) {
                            e.output.append(line).append('\n');
                        }
                    }
                    if (line.contains(ready)) {
                        seen.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            seen.countDown();
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
        if (!seen.await(30, TimeUnit.SECONDS) || !p.isAlive()) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IOException(name + " did not become ready:\n" + e.output());
        }
        return e;
    }

    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    long pid() {
        return process.pid();
    }

    /** Sends {@code signal} (HUP, STOP, ...) with kill(1). */
    void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A loopback port free for both UDP and TCP at this instant (a DNS server binds both). */
    static int freeUdpAndTcpPort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int port = freeTcpPort();
            try (DatagramSocket s = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // in use for UDP: another one
            }
        }
        throw new IOException("no loopback port free for both UDP and TCP in 50 attempts");
    }
}
