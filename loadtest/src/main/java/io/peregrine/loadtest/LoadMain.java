package io.peregrine.loadtest;

import io.peregrine.rpc.JsonTree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The load generator's command line ({@code loadtest/run}); {@code --help} lists the options.
 *
 * <p>{@code --target peregrine} and {@code --target raw} start that server in this process on
 * 127.0.0.1 with one I/O thread, beside the generator's own event loop thread; any other target
 * must be a loopback {@code HOST:PORT}. Prints a one-line summary, and writes the JSON summary to
 * {@code --json FILE} when given. Exits with 0, 1 when any response was an error (or the run could
 * not be made), or 64 for a bad command line.
 */
public final class LoadMain {

    private LoadMain() {
    }

    /** Runs once with the options in {@code args} and exits; see the class comment for the status. */
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(LoadOptions.USAGE);
            return;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(LoadOptions.USAGE);
            System.exit(64);
            return;
        }
        try {
            LoadResult result = run(options);
            System.exit(result.errors().total() > 0 ? 1 : 0);
        } catch (IllegalStateException e) {
            System.err.println("load: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Starts the target if it is in-process, runs the load, reports it, and stops the target. */
    static LoadResult run(LoadOptions options) throws Exception {
        try (Target target = Target.start(options.target, options.transport, options.era, options.payloadBytes)) {
            LoadResult result = new TcpLoadGenerator(options.settings(target.address())).run();
            System.out.println(Summary.line(target.name(), result));
            if (options.json != null) {
                write(options.json, JsonTree.toJson(Summary.json(target.name(), result)) + "\n");
            }
            return result;
        }
    }

    private static void write(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text);
    }
}
