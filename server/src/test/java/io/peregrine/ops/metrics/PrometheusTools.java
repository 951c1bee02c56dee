package io.peregrine.ops.metrics;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Debian's {@code prometheus} and {@code promtool} binaries (package {@code prometheus}, which
 * .ci/run installs) and the {@code deploy/} folder they check. In CI ({@code CI=true}) a missing
 * binary fails the test: the checks must not go quiet there. Elsewhere the test is skipped, with
 * a message saying how to install them.
 */
final class PrometheusTools {

    private PrometheusTools() {
    }

    /** The repository's {@code deploy/} folder (tests run in {@code server/}). */
    static Path deploy() {
        Path deploy = Path.of("").toAbsolutePath().getParent().resolve("deploy");
        assertThat(deploy.resolve("prometheus/prometheus.yml")).as("the deploy folder").exists();
        return deploy;
    }

    /** The path of {@code name} on the PATH; fails in CI, skips elsewhere, when it is missing. */
    static Path binary(String name) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        String message = name + " is not on the PATH: install Debian's prometheus package "
                + "(apt-get install -y prometheus), as .ci/run does";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("*** SKIPPED: " + message + " ***");
        abort(message);
        return null;
    }

    /** Runs {@code command}; asserts it exits 0 within two minutes; returns its output (stdout and stderr). */
    static String run(Path directory, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("promtool", ".log");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(command)))
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            boolean finished = p.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(finished).as("%s finishes; it printed:%n%s", String.join(" ", command), output).isTrue();
            assertThat(p.exitValue()).as("exit status of %s; it printed:%n%s", String.join(" ", command), output).isZero();
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
