package io.peregrine.docs;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Compiles the Java examples of the documentation in this process with {@code javax.tools}, each as
 * the body of a method of a class of its own, against the test class path, and loads them in a class
 * loader whose parent is this one, so that they run against the very classes the tests see.
 *
 * <p>An example is written as a reader would type it into a method: statements, with its own
 * {@code import} lines at the top if it wants them. The imports of {@link #IMPLICIT_IMPORTS} are
 * added to every example, so that the guides need not repeat them (the guides say so).
 */
final class JavaSnippets {

    /** Imported into every example: the JDK packages and Peregrine's public API packages. */
    static final List<String> IMPLICIT_IMPORTS = List.of(
            "java.net.*", "java.net.http.*", "java.time.*", "java.util.*", "java.util.concurrent.*",
            "io.peregrine.*", "io.peregrine.tool.*", "io.peregrine.resource.*", "io.peregrine.prompt.*",
            "io.peregrine.completion.*", "io.peregrine.client.*");

    /**
     * Names both the client and the serving API have (the client's results mirror what a server
     * returns): an example means the serving API's unless it imports the client's itself.
     */
    private static final Map<String, String> SERVING_TWINS = Map.of(
            "ResourceContents", "io.peregrine.resource.ResourceContents",
            "PromptResult", "io.peregrine.prompt.PromptResult",
            "Completion", "io.peregrine.completion.Completion");

    private static final String PACKAGE = "io.peregrine.docs.examples";

    /** One example made into a compilation unit. */
    private static final class Unit extends SimpleJavaFileObject {
        final Markdown.Block block;
        final String className;
        final String source;
        /** Line of the unit at which the example's first line stands. */
        final int bodyLine;

        Unit(Markdown.Block block, String className, String source, int bodyLine) {
            super(URI.create("string:///" + PACKAGE.replace('.', '/') + "/" + className + Kind.SOURCE.extension), Kind.SOURCE);
            this.block = block;
            this.className = className;
            this.source = source;
            this.bodyLine = bodyLine;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return source;
        }
    }

    private final Map<Markdown.Block, Unit> units = new LinkedHashMap<>();
    private final Map<Markdown.Block, List<String>> errors = new HashMap<>();
    private URLClassLoader loader;

    /**
     * Compiles every example in one pass (javac's start-up is the expensive part) into {@code out}.
     * {@code rewrite} turns an example's text into what is compiled (the documented ports into the
     * ports of the server the test started).
     */
    void compile(List<Markdown.Block> blocks, java.util.function.UnaryOperator<String> rewrite, Path out) throws IOException {
        for (Markdown.Block block : blocks) {
            String className = "Example_" + block.file().getFileName().toString().replaceAll("\\W", "_")
                    + "_" + block.line();
            units.put(block, unit(block, className, rewrite.apply(block.text())));
        }
        List<Unit> all = new ArrayList<>(units.values());
        collectErrors(javac(all, out));
        if (!errors.isEmpty()) {
            // javac writes no class at all when one unit fails: compile the others again on their own.
            List<Unit> sound = new ArrayList<>();
            all.forEach(u -> {
                if (!errors.containsKey(u.block)) {
                    sound.add(u);
                }
            });
            if (!sound.isEmpty()) {
                collectErrors(javac(sound, out));
            }
        }
        loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, JavaSnippets.class.getClassLoader());
    }

    private static List<Diagnostic<? extends JavaFileObject>> javac(List<Unit> units, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in this runtime: run the tests on a JDK, not a JRE");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", classPath(), "-d", out.toString(), "-proc:none",
                    "-Xlint:-options", "-encoding", "UTF-8");
            javac.getTask(null, files, diagnostics, options, null, units).call();
        }
        return diagnostics.getDiagnostics();
    }

    private void collectErrors(List<Diagnostic<? extends JavaFileObject>> diagnostics) {
        for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
            if (d.getKind() != Diagnostic.Kind.ERROR || !(d.getSource() instanceof Unit)) {
                continue;
            }
            Unit unit = (Unit) d.getSource();
            String[] source = unit.source.split("\n", -1);
            int line = (int) d.getLineNumber();
            String code = line >= 1 && line <= source.length ? source[line - 1].strip() : "";
            errors.computeIfAbsent(unit.block, b -> new ArrayList<>()).add("line " + (line - unit.bodyLine)
                    + " of the example (" + code + "): " + d.getMessage(Locale.ROOT));
        }
    }

    /** The compiler's errors for {@code block}, empty when it compiled. */
    List<String> errors(Markdown.Block block) {
        return errors.getOrDefault(block, List.of());
    }

    /** Runs a compiled example on the calling thread. */
    void run(Markdown.Block block) throws Exception {
        Unit unit = units.get(block);
        @SuppressWarnings("unchecked")
        Class<? extends Callable<?>> type = (Class<? extends Callable<?>>) loader.loadClass(PACKAGE + "." + unit.className)
                .asSubclass(Callable.class);
        type.getDeclaredConstructor().newInstance().call();
    }

    private static Unit unit(Markdown.Block block, String className, String text) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        int importLines = 0;
        boolean inBody = false;
        for (String line : text.split("\n", -1)) {
            if (!inBody && (line.startsWith("import ") || line.isBlank())) {
                imports.append(line).append('\n');
                importLines++;
            } else {
                inBody = true;
                body.append("        ").append(line).append('\n');
            }
        }
        StringBuilder source = new StringBuilder("package " + PACKAGE + ";\n");
        for (String implicit : IMPLICIT_IMPORTS) {
            source.append("import ").append(implicit).append(";\n");
        }
        SERVING_TWINS.forEach((name, serving) -> {
            if (!imports.toString().matches("(?s).*import\\s+[\\w.]+\\." + name + "\\s*;.*")) {
                source.append("import ").append(serving).append(";\n");
            }
        });
        source.append(imports);
        source.append("public final class ").append(className).append(" implements Callable<Void> {\n")
                .append("    @Override\n    public Void call() throws Exception {\n");
        int bodyLine = (int) source.chars().filter(c -> c == '\n').count() - importLines;
        source.append(body).append("        return null;\n    }\n}\n");
        return new Unit(block, className, source.toString(), bodyLine);
    }

    /**
     * The class path the tests run with. Surefire hands the forked JVM a manifest-only jar and the
     * real path in {@code surefire.test.class.path}.
     */
    static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
