package io.peregrine.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The standalone launcher ({@code io.peregrine.launcher.Main --stdio ...}) in a process of its own,
 * as a desktop client runs it: MCP lines on its stdin and stdout, and every line it logs on stderr
 * kept for the test to read. The process owns its logging, as the real one does.
 */
public final class LauncherProcess implements AutoCloseable {

    /** How long a wait may last before the test fails: a guard against hangs, generous for a loaded machine. */
    public static final long HANG_GUARD_SECONDS = 120;

    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final Thread stderrPump;

    private LauncherProcess(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), stdout::add,
                "launcher-stdout");
        stderrPump = pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
                stderr::add, "launcher-stderr");
    }

    /** Starts {@code Main --stdio} with {@code --set} for each of {@code sets}. */
    public static LauncherProcess start(String... sets) throws IOException {
        return start(List.of(), sets);
    }

    /** {@link #start(String...)} with extra JVM options. */
    public static LauncherProcess start(List<String> jvmOptions, String... sets) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        if (Runtime.version().feature() >= 22) {
            // as the jar's manifest grants it: Netty's native transport, without the JVM's warning on stderr
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.peregrine.launcher.Main", "--stdio"));
        for (String set : sets) {
            command.add("--set");
            command.add(set);
        }
        return new LauncherProcess(new ProcessBuilder(command).start());
    }

    private static Thread pump(BufferedReader reader, java.util.function.Consumer<String> sink, String name) {
        Thread t = new Thread(() -> {
            try (reader) {
                String line;
                while ((line = reader.readLine()) != null) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process went away
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Writes one MCP message as a line on the server's stdin. */
    public void send(String json) throws IOException {
        stdin.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** The next line the server writes on stdout; fails after {@link #HANG_GUARD_SECONDS} s without one. */
    public String receive() throws InterruptedException {
        String line = stdout.poll(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("no line on stdout within " + HANG_GUARD_SECONDS + " s; stderr: " + stderr);
        }
        return line;
    }

    /** Every line logged so far. */
    public List<String> logLines() {
        return new ArrayList<>(stderr);
    }

    /** The first logged line that {@code p} accepts, waiting up to {@link #HANG_GUARD_SECONDS} s for it. */
    public String awaitLog(Predicate<String> p) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        while (System.nanoTime() < deadline) {
            for (String line : stderr) {
                if (p.test(line)) {
                    return line;
                }
            }
            if (!process.isAlive()) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new AssertionError("no such log line; the process " + (process.isAlive() ? "runs" : "exited")
                + "; stderr: " + stderr);
    }

    /** Closes stdin, which ends a stdio server, and returns its exit code. */
    public int stop() throws IOException, InterruptedException {
        stdin.close();
        if (!process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the server did not exit within " + HANG_GUARD_SECONDS + " s of stdin closing");
        }
        // Every line the process wrote is read once its stderr reaches end of file.
        stderrPump.join(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
