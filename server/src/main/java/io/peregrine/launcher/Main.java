package io.peregrine.launcher;

import io.peregrine.Peregrine;
import io.peregrine.PeregrineExtension;
import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigKey;
import io.peregrine.config.ConfigLoader;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.demo.AskModelTool;
import io.peregrine.demo.AskUserTool;
import io.peregrine.demo.CountdownTool;
import io.peregrine.demo.DemoPrompts;
import io.peregrine.demo.FileSystemResources;
import io.peregrine.demo.EchoTool;
import io.peregrine.demo.FileSystemTools;
import io.peregrine.ops.logging.LogSettings;
import io.peregrine.ops.logging.LogSetup;
import io.peregrine.tool.Tool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The standalone server: {@code ./peregrine [--stdio] [--config FILE] [--set key=value]...}.
 *
 * <p>Without {@code --config} it reads {@code config/peregrine.yaml} under {@code PEREGRINE_HOME}
 * (set by the {@code ./peregrine} script) or the working directory, when that file exists.
 *
 * <p>On SIGTERM the server stops being ready at once, keeps serving for {@code shutdown.ready-delay},
 * drains for up to {@code shutdown.drain-timeout} and the process exits with status 0.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    /** Set by {@link #main}: the process is ours, and so is its logging (log.*). */
    private static volatile boolean ownsLogging;
    /** Closed after the server, so that the spans of its last requests are exported before exit. */
    private static final List<AutoCloseable> closedAfterServer = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        ownsLogging = true;
        Peregrine server;
        try {
            server = start(args, System.getenv(), System.in, System.out);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("peregrine: " + e.getMessage());
            System.exit(2);
            return;
        } catch (UsageRequested e) {
            System.out.println(e.getMessage());
            return;
        }
        // Any other way the JVM ends (Ctrl-C, System.exit) still drains.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server), "peregrine-shutdown"));
        TerminationSignal.onSigterm(() -> {
            close(server);
            System.exit(0);
        });
        if (server.stdioClosed() != null) {
            // A stdio server lives as long as its client keeps stdin open.
            server.stdioClosed().await();
            close(server);
            System.exit(0);
        }
        Thread.currentThread().join();
    }

    private static void close(Peregrine server) {
        server.close();
        for (AutoCloseable c : closedAfterServer) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed", c, e);
            }
        }
    }

    /** Parses the arguments, loads the configuration and starts the server (no stdio). */
    public static Peregrine start(String[] args, Map<String, String> env) throws InterruptedException {
        return start(args, env, null, null);
    }

    /**
     * Parses the arguments, loads the configuration and starts the server. With {@code --stdio}
     * the server speaks MCP on {@code in}/{@code out} and, unless {@code tcp.enabled} is set
     * explicitly, opens no TCP listener.
     */
    public static Peregrine start(String[] args, Map<String, String> env, InputStream in, PrintStream out)
            throws InterruptedException {
        Path configFile = null;
        List<String> sets = new ArrayList<>();
        boolean stdio = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config":
                    configFile = configPath(value(args, ++i, "--config"));
                    break;
                case "--set":
                    sets.add(value(args, ++i, "--set"));
                    break;
                case "--stdio":
                    stdio = true;
                    break;
                case "--help":
                case "-h":
                    throw new UsageRequested(usage());
                default:
                    if (args[i].startsWith("--set=")) {
                        sets.add(args[i].substring("--set=".length()));
                    } else if (args[i].startsWith("--config=")) {
                        configFile = configPath(args[i].substring("--config=".length()));
                    } else {
                        throw new ConfigException("unknown argument \"" + args[i] + "\"\n" + usage());
                    }
            }
        }
        if (configFile == null) {
            configFile = defaultConfigFile(env);
        }
        if (stdio) {
            // A desktop client launches one process per session: no listeners unless asked for, and
            // nothing to wait for at the end (no load balancer watches /ready).
            for (String setting : List.of("tcp.enabled=false", "http.enabled=false", "shutdown.ready-delay=0")) {
                String key = setting.substring(0, setting.indexOf('='));
                if (sets.stream().noneMatch(s -> s.startsWith(key + "=")) && !env.containsKey(ConfigKey.find(key).envName())) {
                    sets.add(0, setting);
                }
            }
        }
        PeregrineConfig config = ConfigLoader.load(configFile, env, sets);
        LogSettings logs = OpsSetup.logSettings(config);
        if (ownsLogging) {
            try {
                LogSetup.apply(logs);
            } catch (NoClassDefFoundError e) {
                log.warn("log.* settings ignored: Logback is not on the class path");
            }
        }
        Peregrine server = stdio ? build(config, env, in, out) : build(config, env, null, null);
        warnAboutUnusedKeys(config);
        Peregrine.BoundAddresses addresses = server.start();
        log.info("Peregrine {} serving {} tools, {} resources, {} resource templates and {} prompts ({}), "
                        + "configuration {}", config.get(ConfigKey.SERVER_VERSION), server.tools().size(),
                server.resources().resources().size(), server.resources().templates().size(),
                server.prompts().size(), addresses, configFile == null ? "defaults" : configFile);
        return server;
    }

    /** A key given a value that this configuration never uses is most likely a mistake (auth.jwt.* without jwt). */
    private static void warnAboutUnusedKeys(PeregrineConfig config) {
        Set<String> unused = new LinkedHashSet<>(config.explicitKeys());
        unused.retainAll(config.unreadKeys());
        if (!unused.isEmpty()) {
            log.warn("these keys are set but this configuration does not use them: {} (see docs/configuration.md)",
                    String.join(", ", unused));
        }
    }

    /**
     * A server as the configuration describes it, with the demo tools when enabled and whatever the
     * {@link PeregrineExtension}s on the class path add (the conformance fixtures, for one).
     */
    /** The extension that serves {@code conformance.fixtures}, in the conformance module. */
    private static final String CONFORMANCE_EXTENSION = "io.peregrine.conformance.ConformanceExtension";

    static Peregrine build(PeregrineConfig c, Map<String, String> env, InputStream in, PrintStream out) {
        Peregrine.Builder b = Peregrine.builder();
        for (ConfigKey<?> key : ConfigKey.all().values()) {
            if (key.scope() == ConfigKey.Scope.SERVER) {
                copy(c, key, b);
            }
        }
        if (in != null) {
            b.stdio(in, out);
        }
        // Tracing first: an observer added after it (metrics' exemplars) finds the span it ended.
        OpsSetup.Tracing tracing = OpsSetup.tracing(c);
        if (tracing != null) {
            b.observer(tracing.observer);
            b.metricsExemplars(tracing.exemplars);
            closedAfterServer.add(tracing.exporter);
        }
        io.peregrine.policy.redis.RedisStore redis = PolicySetup.configure(b, c, env);
        io.peregrine.gateway.UpstreamSettings.from(c, env).forEach(b::upstream);
        io.peregrine.gateway.RegistrationSettings.from(c, env).forEach(b::registration);
        if (c.get(ConfigKey.DEMO_ENABLED)) {
            for (Tool t : demoTools(c)) {
                b.tool(t);
            }
            addDemoContent(c, b);
        }
        List<PeregrineExtension> extensions = ServiceLoader.load(PeregrineExtension.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        if (c.get(ConfigKey.CONFORMANCE_FIXTURES) && extensions.stream()
                .noneMatch(e -> e.getClass().getName().equals(CONFORMANCE_EXTENSION))) {
            throw new ConfigException("conformance.fixtures is true but the conformance module is not on the class path: "
                    + "run ./peregrine (which adds conformance/target/peregrine-conformance-*.jar) or add that jar to -cp");
        }
        for (PeregrineExtension e : extensions) {
            e.configure(b, c);
        }
        Peregrine server = b.build();
        if (redis != null) {
            PolicySetup.reportRedis(server, c, redis);
        }
        for (PeregrineExtension e : extensions) {
            e.built(server, c);
        }
        return server;
    }

    private static <T> void copy(PeregrineConfig c, ConfigKey<T> key, Peregrine.Builder b) {
        b.set(key, c.get(key));
    }

    private static List<Tool> demoTools(PeregrineConfig c) {
        List<Tool> tools = new ArrayList<>();
        tools.add(EchoTool.create());
        tools.add(AskUserTool.create());
        tools.add(AskModelTool.create());
        tools.add(CountdownTool.create());
        Path root = c.get(ConfigKey.DEMO_FS_ROOT);
        if (!Files.isDirectory(root)) {
            throw new ConfigException("demo.fs.root: \"" + root + "\" is not a directory");
        }
        tools.addAll(FileSystemTools.create(root, c.get(ConfigKey.DEMO_FS_MAX_READ_BYTES), c.get(ConfigKey.DEMO_FS_MAX_RESULTS)));
        return tools;
    }

    /** The served root as resources (each file, and the template fs:///{+path}) and the prompts over it. */
    private static void addDemoContent(PeregrineConfig c, Peregrine.Builder b) {
        FileSystemResources files = FileSystemResources.create(c.get(ConfigKey.DEMO_FS_ROOT),
                c.get(ConfigKey.DEMO_FS_MAX_READ_BYTES), c.get(ConfigKey.DEMO_FS_MAX_RESULTS));
        b.resourceTemplate(files.template());
        files.resources().forEach(b::resource);
        DemoPrompts.create(files).forEach(b::prompt);
    }

    private static Path defaultConfigFile(Map<String, String> env) {
        String home = env.get("PEREGRINE_HOME");
        Path candidate = home != null ? Path.of(home, "config", "peregrine.yaml") : Path.of("config", "peregrine.yaml");
        return Files.isRegularFile(candidate) ? candidate : null;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new ConfigException(option + " needs a value");
        }
        return args[i];
    }

    private static String usage() {
        StringBuilder sb = new StringBuilder("usage: peregrine [--stdio] [--config FILE] [--set key=value]...\n\n"
                + "  --stdio   speak MCP on stdin/stdout (logs on stderr); no TCP or HTTP listener unless enabled explicitly\n\n"
                + "keys (env var, default):\n");
        for (ConfigKey<?> k : ConfigKey.all().values()) {
            sb.append(String.format("  %-28s %-36s %s%n    %s%n", k.name(), k.envName(), defaultText(k), k.description()));
        }
        sb.append("\nEvery key, its bounds and its meaning: docs/configuration.md\n");
        return sb.toString();
    }

    private static <T> String defaultText(ConfigKey<T> key) {
        return key.format(key.defaultValue());
    }

    /** {@code --help}: print usage, start nothing. */
    private static Path configPath(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException("--config \"" + value + "\" (expected: a file system path; " + e.getReason() + ")");
        }
    }

    static final class UsageRequested extends RuntimeException {
        UsageRequested(String usage) {
            super(usage, null, false, false);
        }
    }
}
