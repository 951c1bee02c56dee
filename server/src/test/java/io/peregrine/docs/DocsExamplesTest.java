package io.peregrine.docs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.peregrine.Peregrine;
import io.peregrine.launcher.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Runs every example of README.md and docs/*.md that claims to run. A fenced block is marked by an
 * HTML comment on the line before it, which the forge does not show:
 *
 * <ul>
 *   <li>{@code <!-- doc-test: console -->} before a {@code console} block: each {@code $} command runs
 *       with {@code bash -c} in the repository's root against the server {@code ./peregrine} starts
 *       (started here, in this process, on free ports that replace 7400 and 7401 in the command), and
 *       its output must be the lines shown under it ({@code ...} stands for any text).</li>
 *   <li>{@code <!-- doc-test: java -->} before a {@code java} block: the block is the body of a method,
 *       compiled with javax.tools and run here against the same server (7400 and 7401 replaced
 *       likewise). {@code <!-- doc-test: output -->} before the {@code text} block after it: what it
 *       must print.</li>
 *   <li>{@code <!-- doc-test: serve -->} before a {@code sh} block: each line is a {@code ./peregrine}
 *       command line, started for real on free ports until it says it is serving.</li>
 *   <li>{@code <!-- doc-test: fragment -->}: a piece of a larger program, or a command too heavy for
 *       a test (benchmarks, the whole suite); not run. Use it sparingly.</li>
 * </ul>
 *
 * Every {@code java}, {@code console}, {@code sh} and {@code bash} block must carry one of them, so
 * that no example is left unchecked by accident; every {@code json} block must parse.
 */
class DocsExamplesTest {

    private static final Set<String> MARKED_LANGUAGES = Set.of("java", "console", "sh", "bash", "shell");
    private static final Map<String, Set<String>> KINDS = Map.of(
            "java", Set.of("java"),
            "output", Set.of("text"),
            "console", Set.of("console"),
            "serve", Set.of("sh"),
            "fragment", Set.of("java", "console", "sh", "bash", "shell", "text", "json", "yaml"));

    @TempDir
    static Path compiled;

    private static Path root;
    private static List<Markdown> docs;
    private static Peregrine demo;
    private static UnaryOperator<String> ports;
    private static JavaSnippets java;
    private static ShellExamples shell;

    @BeforeAll
    static void startTheDemoServer() throws Exception {
        root = repositoryRoot();
        docs = Markdown.all(root);
        demo = Main.start(new String[] {"--set", "tcp.port=0", "--set", "http.port=0", "--set", "demo.fs.root=" + root},
                Map.of("PEREGRINE_HOME", root.toString()));
        String tcp = Integer.toString(demo.addresses().tcp().getPort());
        String http = Integer.toString(demo.addresses().http().getPort());
        ports = text -> text.replaceAll("\\b7400\\b", tcp).replaceAll("\\b7401\\b", http);
        shell = new ShellExamples(root);
        java = new JavaSnippets();
        java.compile(blocks("java"), ports, compiled);
    }

    @AfterAll
    static void stopIt() {
        if (demo != null) {
            demo.close();
        }
    }

    /** The repository's root: the tests run in server/. */
    static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (p.resolve("README.md").toFile().isFile() && p.resolve("docs").toFile().isDirectory()) {
                return p;
            }
        }
        throw new IllegalStateException("no README.md with a docs/ beside it above " + here);
    }

    private static List<Markdown.Block> blocks(String marker) {
        List<Markdown.Block> found = new ArrayList<>();
        for (Markdown doc : docs) {
            for (Markdown.Block b : doc.blocks()) {
                if (marker.equals(b.marker())) {
                    found.add(b);
                }
            }
        }
        return found;
    }

    @Test
    void everyBlockThatCouldRunSaysHowItIsChecked() {
        List<String> problems = new ArrayList<>();
        for (Markdown doc : docs) {
            Markdown.Block previous = null;
            for (Markdown.Block b : doc.blocks()) {
                String where = b.where(root);
                if (b.marker() == null) {
                    if (MARKED_LANGUAGES.contains(b.info())) {
                        problems.add(where + ": a " + b.info() + " block without <!-- doc-test: KIND --> in front of it"
                                + " (KIND: " + String.join(", ", new java.util.TreeSet<>(KINDS.keySet())) + ")");
                    }
                } else if (!KINDS.containsKey(b.marker())) {
                    problems.add(where + ": unknown doc-test kind \"" + b.marker() + "\"");
                } else if (!KINDS.get(b.marker()).contains(b.info())) {
                    problems.add(where + ": a doc-test " + b.marker() + " block must be fenced as " + KINDS.get(b.marker())
                            + ", not \"" + b.info() + "\"");
                } else if ("output".equals(b.marker()) && (previous == null || !"java".equals(previous.marker()))) {
                    problems.add(where + ": an output block follows the java example whose output it shows");
                }
                previous = b;
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyJsonBlockParses() {
        ObjectMapper mapper = new ObjectMapper();
        List<String> problems = new ArrayList<>();
        for (Markdown doc : docs) {
            for (Markdown.Block b : doc.blocks()) {
                if ("json".equals(b.info())) {
                    try {
                        mapper.readTree(b.text());
                    } catch (Exception e) {
                        problems.add(b.where(root) + ": " + e.getMessage());
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> javaExamples() {
        return blocks("java").stream().map(b -> DynamicTest.dynamicTest(b.where(root), () -> {
            assertThat(java.errors(b)).as("the example at %s compiles", b.where(root)).isEmpty();
            String printed = runCapturingOutput(b);
            Markdown.Block output = outputOf(b);
            if (output != null) {
                List<String> expected = ShellExamples.lines(output.text());
                assertThat(ShellExamples.matches(expected, ShellExamples.lines(printed)))
                        .as("the example at %s prints what %s shows; it printed:%n%s", b.where(root), output.where(root), printed)
                        .isTrue();
            }
        }));
    }

    /** Runs an example with System.out captured; the hang guard only turns a hang into a failure. */
    private static String runCapturingOutput(Markdown.Block b) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(ShellExamples.HANG_GUARD_SECONDS), () -> java.run(b),
                    () -> "the example at " + b.where(root) + " did not end");
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static Markdown.Block outputOf(Markdown.Block example) {
        for (Markdown doc : docs) {
            List<Markdown.Block> all = doc.blocks();
            int i = all.indexOf(example);
            if (i >= 0 && i + 1 < all.size() && "output".equals(all.get(i + 1).marker())) {
                return all.get(i + 1);
            }
        }
        return null;
    }

    @TestFactory
    Stream<DynamicTest> consoleExamples() {
        return blocks("console").stream().map(b -> DynamicTest.dynamicTest(b.where(root), () -> {
            List<ShellExamples.Command> commands = ShellExamples.commands(b.text());
            List<String> texts = new ArrayList<>();
            commands.forEach(c -> texts.add(ports.apply(c.text())));
            ShellExamples.Session session = shell.run(texts);
            assertThat(session.results()).as("every command of %s ran; the shell wrote to stderr:%n%s", b.where(root),
                    session.stderr()).hasSize(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                ShellExamples.Command c = commands.get(i);
                ShellExamples.Result r = session.results().get(i);
                assertThat(r.exitCode()).as("exit status of `%s` (%s); the shell wrote to stderr:%n%s", c.text(), b.where(root),
                        session.stderr()).isZero();
                assertThat(ShellExamples.matches(c.expected(), ShellExamples.lines(r.stdout())))
                        .as("`%s` (%s) prints what the guide shows:%n%s%nbut printed:%n%s", c.text(), b.where(root),
                                String.join("\n", c.expected()), r.stdout())
                        .isTrue();
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> serveExamples() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Markdown.Block b : blocks("serve")) {
            for (String line : b.text().split("\n")) {
                if (!line.isBlank() && !line.strip().startsWith("#")) {
                    String command = line.replaceAll("\\s+#.*$", "").strip();
                    tests.add(DynamicTest.dynamicTest(b.where(root) + " " + command, () -> shell.serve(command)));
                }
            }
        }
        return tests.stream();
    }
}
