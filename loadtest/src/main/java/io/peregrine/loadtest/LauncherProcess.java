package io.peregrine.loadtest;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server in a JVM of its own, as the comparisons of {@code loadtest/run} run it: by default the
 * standalone server ({@link SoakServeMain}: the launcher's own wiring, from {@code --config} and
 * {@code --set} arguments), or {@link ServeMain} (Peregrine or the raw reference, one listener);
 * started with the JVM options given, its standard error appended to a log file, its listeners
 * read from the {@code listening} line it prints. It stops when its standard input is closed, or
 * is killed 10 s later.
 */
final class LauncherProcess implements AutoCloseable {

    /** {@code getconf CLK_TCK}: 100 on every Linux this runs on. */
    static final int CLOCK_TICKS = 100;

    final Process process;
    final InetSocketAddress tcp;
    final InetSocketAddress http;
    private final File log;
    private final Writer in;
    /** The server's standard output, a line at a time, then {@code exited}. */
    private final BlockingQueue<String> lines;

    private LauncherProcess(Process process, String tcp, String http, File log, BlockingQueue<String> lines) {
        this.lines = lines;
        this.process = process;
        this.log = log;
        this.tcp = Target.loopback(tcp);
        this.http = Target.loopback(http);
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /**
     * Starts the server and returns once it listens.
     *
     * @param javaOptions the server JVM's options (heap, collector, system properties)
     * @param serverArgs  the launcher's arguments: {@code --config FILE --set key=value ...}
     * @param log         where the server's standard error (its log) is appended
     */
    static LauncherProcess start(List<String> javaOptions, List<String> serverArgs, File log)
            throws IOException, InterruptedException {
        return start(javaOptions, SoakServeMain.class, serverArgs, log);
    }

    /**
     * Starts {@code main} (on this JVM's classpath) with {@code serverArgs}, and returns once it
     * prints where it listens: {@code listening tcp HOST:PORT http HOST:PORT}, or
     * {@code listening HOST:PORT} for a server of one listener, which is then both {@link #tcp}
     * and {@link #http}.
     */
    static LauncherProcess start(List<String> javaOptions, Class<?> main, List<String> serverArgs, File log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(serverArgs);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log)).start();
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    out.add(l);
                }
            } catch (IOException e) {
                // the server is gone
            }
            out.add("exited");
        }, "server-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        String listening = out.poll(60, TimeUnit.SECONDS);
        while (listening != null && !listening.startsWith("listening ") && !listening.equals("exited")) {
            listening = out.poll(60, TimeUnit.SECONDS);
        }
        if (listening == null || !listening.startsWith("listening ")) {
            process.destroyForcibly();
            throw new IllegalStateException("the server did not start within 60 s (see " + log + ")");
        }
        // listening tcp HOST:PORT http HOST:PORT, or listening HOST:PORT
        String[] words = listening.split(" ");
        return words.length == 2 ? new LauncherProcess(process, words[1], words[1], log, out)
                : new LauncherProcess(process, words[2], words[4], log, out);
    }

    private long lastCpuTicks = -1;
    private long lastCpuNanos;

    /**
     * The server's CPU time (user and system, {@code /proc/PID/stat}) since the last call, in %
     * of one core, the full collections of the sample before included. -1 the first time and
     * where there is no {@code /proc}.
     */
    double cpuPercent() {
        long now = System.nanoTime();
        long ticks;
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        double percent = lastCpuTicks < 0 ? -1 : (ticks - lastCpuTicks) / (double) CLOCK_TICKS / ((now - lastCpuNanos) / 1e9) * 100;
        lastCpuTicks = ticks;
        lastCpuNanos = now;
        return percent;
    }

    /** {heap after GC, pooled direct} from the server itself. */
    long[] measure() throws IOException, InterruptedException {
        in.write("measure\n");
        in.flush();
        for (;;) {
            String line = lines.poll(120, TimeUnit.SECONDS);
            if (line == null || line.equals("exited")) {
                throw new IOException("the server " + (line == null ? "did not answer measure within 120 s"
                        : "exited") + " (see " + log + ")");
            }
            if (line.startsWith("heap ")) {
                String[] f = line.split(" ");
                return new long[] {Long.parseLong(f[1]), Long.parseLong(f[3])};
            }
        }
    }

    @Override
    public void close() {
        try {
            in.close(); // the server stops when its standard input ends
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
