package io.peregrine.loadtest;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A server for measurements made from another process ({@link MemoryMain}): starts
 * {@code peregrine} or {@code raw} on 127.0.0.1 as {@link Target} does and prints
 * {@code listening HOST:PORT}, then answers commands on standard input, one per line:
 * {@code measure} prints {@code heap BYTES rss BYTES} (heap in use after full collections, and the
 * process's resident set), {@code quit} or the end of input stops it.
 *
 * <p>{@code java -cp ... io.peregrine.loadtest.ServeMain peregrine|raw tcp|ws|http [ERA]}
 */
public final class ServeMain {

    private ServeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ServeMain peregrine|raw tcp|ws|http [2025-11-25|2026-07-28]");
            System.exit(64);
        }
        Era era = args.length > 2 ? Era.of(args[2]) : Era.V2025_11_25;
        try (Target target = Target.start(args[0], Transport.of(args[1]), era, 100)) {
            System.out.println("listening " + target.address().getAddress().getHostAddress() + ":" + target.address().getPort());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
                if (line.equals("measure")) {
                    System.out.println("heap " + heapAfterGc() + " rss " + rss());
                    System.out.flush();
                }
            }
        }
    }

    /** Heap in use once repeated full collections no longer shrink it. */
    static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now >= used - 64 * 1024) {
                return Math.min(now, used);
            }
            used = now;
        }
        return used;
    }

    /** The resident set of this process in bytes, from {@code /proc/self/status}; -1 where there is none. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }
}
