package io.peregrine.docs;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the shell examples of the documentation for real, with {@code bash -c} in the repository's
 * root: {@code console} blocks (commands after {@code $}, their output below them) and {@code serve}
 * blocks (commands that start {@code ./peregrine}).
 *
 * <p>Every wait is bounded by {@link #HANG_GUARD_SECONDS}, generous on purpose: it turns a command
 * that never ends into a failure naming it, and measures nothing.
 */
final class ShellExamples {

    static final long HANG_GUARD_SECONDS = 120;

    /** The Debian package that provides each command the examples use, for the message when one is missing. */
    private static final Map<String, String> PACKAGES = Map.of(
            "nc", "netcat-openbsd", "curl", "curl", "openssl", "openssl", "jq", "jq", "socat", "socat");
    private static final Pattern COMMAND_WORD = Pattern.compile("(?:^|[|;&(]|\\$\\(|\\n)\\s*((?:[A-Za-z_][A-Za-z0-9_]*=\\S*\\s+)*)([A-Za-z./][\\w./-]*)");

    /** One {@code $} command of a console block and the output shown under it. */
    record Command(String text, List<String> expected) {
    }

    private final Path root;

    ShellExamples(Path root) {
        this.root = root;
    }

    /** The commands of a console block: a {@code $} line and its continuation lines, then the lines of output up to the next {@code $}. */
    static List<Command> commands(String block) {
        List<Command> commands = new ArrayList<>();
        String[] lines = block.split("\n");
        int i = 0;
        while (i < lines.length) {
            if (!lines[i].startsWith("$ ")) {
                throw new IllegalArgumentException("a console block starts with a command (\"$ \"), not: " + lines[i]);
            }
            StringBuilder command = new StringBuilder(lines[i].substring(2));
            while (lines[i].endsWith("\\") && i + 1 < lines.length) {
                command.append('\n').append(lines[++i]);
            }
            i++;
            List<String> expected = new ArrayList<>();
            while (i < lines.length && !lines[i].startsWith("$ ")) {
                expected.add(lines[i++]);
            }
            while (!expected.isEmpty() && expected.get(expected.size() - 1).isBlank()) {
                expected.remove(expected.size() - 1);
            }
            commands.add(new Command(command.toString(), expected));
        }
        return commands;
    }

    /** What one command of a session printed on standard output, and its exit status. */
    record Result(int exitCode, String stdout) {
    }

    /** A console block's commands as one shell session, so that a variable one sets is there for the next. */
    record Session(List<Result> results, String stderr) {
    }

    private static final Pattern BOUNDARY = Pattern.compile("^<<doc-test (\\d+) (\\d+)>>$");

    /**
     * Runs {@code commands} one after another in one {@code bash} (with {@code pipefail}) in the
     * repository's root, as a reader would type them into one terminal, and splits what they print
     * per command.
     */
    Session run(List<String> commands) throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder("set -o pipefail\n");
        for (int i = 0; i < commands.size(); i++) {
            requireTools(commands.get(i));
            script.append(commands.get(i)).append("\ndoc_test_status=$?; printf '\\n<<doc-test %d %d>>\\n' ")
                    .append(i).append(" \"$doc_test_status\"\n");
        }
        Path out = Files.createTempFile("doc-example", ".out");
        Path err = Files.createTempFile("doc-example", ".err");
        try {
            Process p = new ProcessBuilder("bash", "-c", script.toString()).directory(root.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("the commands did not end within " + HANG_GUARD_SECONDS + " s: " + commands);
            }
            List<Result> results = new ArrayList<>();
            StringBuilder chunk = new StringBuilder();
            for (String line : Files.readString(out, StandardCharsets.UTF_8).split("\n", -1)) {
                Matcher m = BOUNDARY.matcher(line);
                if (m.matches()) {
                    results.add(new Result(Integer.parseInt(m.group(2)), chunk.toString()));
                    chunk.setLength(0);
                } else {
                    chunk.append(line).append('\n');
                }
            }
            return new Session(results, Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Fails naming the Debian package when a tool the example runs (one of {@link #PACKAGES}) is not
     * installed, rather than with bash's "command not found" in the middle of a comparison. Other
     * commands are the shell's own, or the repository's, or functions the example defines.
     */
    private static void requireTools(String command) throws IOException, InterruptedException {
        String unquoted = command.replaceAll("'[^']*'", "''");
        Matcher m = COMMAND_WORD.matcher(unquoted);
        List<String> missing = new ArrayList<>();
        while (m.find()) {
            String tool = m.group(2);
            if (!PACKAGES.containsKey(tool) || missing.contains(tool)) {
                continue;
            }
            Process p = new ProcessBuilder("bash", "-c", "command -v \"$0\"", tool).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                missing.add(tool + " (Debian package " + PACKAGES.get(tool) + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("the documented command needs " + String.join(", ", missing)
                    + ", which this machine lacks; .ci/run installs what the documentation uses: " + command);
        }
    }

    /**
     * Starts one documented {@code ./peregrine ...} command line for real — its environment
     * assignments, quoting and command substitutions through bash — with {@code ./peregrine} standing
     * for the launcher on the test class path (the script would build the jar first) and the listeners
     * moved to free ports. Returns once the server says it is serving, or the process ended by itself
     * with status 0 ({@code --help}, or {@code --stdio} at the end of its input, which is empty);
     * fails with what it printed otherwise.
     */
    void serve(String commandLine) throws IOException, InterruptedException {
        if (!commandLine.contains("./peregrine")) {
            throw new AssertionError("a serve block holds ./peregrine command lines only: " + commandLine);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "peregrine() { PEREGRINE_HOME=\"$DOC_ROOT\" exec \"$DOC_JAVA\" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp \"$DOC_CLASS_PATH\" "
                + "io.peregrine.launcher.Main \"$@\" --set tcp.port=0 --set http.port=0; }\n"
                + commandLine.replace("./peregrine", "peregrine") + "\n";
        requireTools(commandLine);
        String classPath = JavaSnippets.classPath();
        if (commandLine.contains("conformance.yaml")) {
            // The fixtures are the conformance module's, built after this one in the reactor: a
            // clean build reaches here before they exist (interop/conformance/run serves them then).
            Path fixtures = root.resolve("conformance/target/classes");
            Assumptions.assumeTrue(Files.isDirectory(fixtures.resolve("META-INF/services")),
                    "the conformance module is not built yet (mvn -pl conformance -am compile); "
                            + "interop/conformance/run serves config/conformance.yaml for real");
            classPath = classPath + File.pathSeparator + fixtures;
        }
        Path err = Files.createTempFile("doc-serve", ".err");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).directory(root.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        builder.environment().put("DOC_ROOT", root.toString());
        builder.environment().put("DOC_JAVA", java);
        builder.environment().put("DOC_CLASS_PATH", classPath);
        Process p = builder.start();
        p.getOutputStream().close();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
            while (true) {
                String printed = Files.readString(err, StandardCharsets.UTF_8);
                if (printed.contains(" serving ")) {
                    return;
                }
                if (p.waitFor(100, TimeUnit.MILLISECONDS)) {
                    printed = Files.readString(err, StandardCharsets.UTF_8);
                    if (p.exitValue() == 0 || printed.contains(" serving ")) {
                        return;
                    }
                    throw new AssertionError("`" + commandLine + "` exited with status " + p.exitValue()
                            + " before serving:\n" + printed);
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("`" + commandLine + "` neither served nor ended within "
                            + HANG_GUARD_SECONDS + " s:\n" + printed);
                }
            }
        } finally {
            p.destroy();
            if (!p.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(err);
        }
    }

    /**
     * Whether {@code actual} is what {@code expected} shows: line by line, where {@code ...} inside a
     * line stands for any text (an id, a timestamp) and a line that is only {@code ...} for any number
     * of lines.
     */
    static boolean matches(List<String> expected, List<String> actual) {
        return matches(expected, 0, actual, 0);
    }

    private static boolean matches(List<String> expected, int e, List<String> actual, int a) {
        if (e == expected.size()) {
            return a == actual.size();
        }
        if (expected.get(e).strip().equals("...")) {
            for (int skip = a; skip <= actual.size(); skip++) {
                if (matches(expected, e + 1, actual, skip)) {
                    return true;
                }
            }
            return false;
        }
        return a < actual.size() && lineMatches(expected.get(e), actual.get(a)) && matches(expected, e + 1, actual, a + 1);
    }

    static boolean lineMatches(String expected, String actual) {
        String[] parts = expected.stripTrailing().split(Pattern.quote("..."), -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        return actual.stripTrailing().matches(regex.toString());
    }

    /** Output as lines, without a trailing empty line. */
    static List<String> lines(String output) {
        List<String> lines = new ArrayList<>(List.of(output.split("\n", -1)));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }
}
