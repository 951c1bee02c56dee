package io.peregrine.launcher;

import io.peregrine.Peregrine;
import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigKey;
import io.peregrine.config.ConfigLoader;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.conformance.ConformanceFixtures;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The standalone server: {@code ./peregrine [--stdio] [--config FILE] [--set key=value]...}.
 *
 * <p>Without {@code --config} it reads {@code config/peregrine.yaml} under {@code PEREGRINE_HOME}
 * (set by the {@code ./peregrine} script) or the working directory, when that file exists.
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
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server), "peregrine-shutdown"));
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
                    configFile = Path.of(value(args, ++i, "--config"));
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
                        configFile = Path.of(args[i].substring("--config=".length()));
                    } else {
                        throw new ConfigException("unknown argument \"" + args[i] + "\"\n" + usage());
                    }
            }
        }
        if (configFile == null) {
            configFile = defaultConfigFile(env);
        }
        if (stdio) {
            // A desktop client launches one process per session: no listeners unless asked for.
            for (String listener : List.of("tcp", "http")) {
                String key = listener + ".enabled";
                if (sets.stream().noneMatch(s -> s.startsWith(key + "=")) && !env.containsKey(ConfigKey.find(key).envName())) {
                    sets.add(0, key + "=false");
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
        Peregrine.BoundAddresses addresses = server.start();
        log.info("Peregrine {} serving {} tools, {} resources, {} resource templates and {} prompts ({}), "
                        + "configuration {}", config.string("server.version"), server.tools().size(),
                server.resources().resources().size(), server.resources().templates().size(),
                server.prompts().size(), addresses, configFile == null ? "defaults" : configFile);
        return server;
    }

    /** A server as the configuration describes it, with the demo tools and the conformance fixtures when enabled. */
    static Peregrine build(PeregrineConfig c, Map<String, String> env, InputStream in, PrintStream out) {
        Peregrine.Builder b = Peregrine.builder()
                .serverInfo(c.string("server.name"), c.string("server.version"))
                .instructions(c.string("server.instructions"))
                .maxLineLength((int) c.size("tcp.max-line-length"))
                .maxNestingDepth(c.integer("json.max-nesting-depth"))
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, c.size("json.max-string-length")))
                .maxInFlightPerConnection(c.integer("connection.max-in-flight"))
                .maxConcurrency(c.integer("exec.max-concurrency"))
                .virtualThreads(c.bool("exec.virtual-threads"))
                .ioThreads(c.integer("io.threads"))
                .defaultTimeout(c.duration("tools.default-timeout"))
                .validateArguments(c.bool("tools.validate-arguments"))
                .pageSize(c.integer("tools.page-size"))
                .drainTimeout(c.duration("shutdown.drain-timeout"))
                .clientRequestTimeout(c.duration("client-requests.timeout"))
                .requestStateTtl(c.duration("client-requests.state-ttl"))
                .taskTtl(c.duration("tasks.ttl"))
                .maxTasks(c.integer("tasks.max"));
        String stateKey = c.string("client-requests.state-key");
        if (!stateKey.isEmpty()) {
            if (stateKey.length() < 16) {
                throw new IllegalArgumentException("client-requests.state-key : " + stateKey.length()
                        + " characters (expected: at least 16, or empty for a random key)");
            }
            b.requestStateKey(stateKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (c.bool("http.enabled")) {
            b.http(c.string("http.host"), c.integer("http.port"))
                    .webSocketPath(c.string("ws.path"))
                    .maxFrameBytes((int) c.size("ws.max-frame-size"))
                    .webSocketIdleTimeout(c.duration("ws.idle-timeout"))
                    .webSocketPingInterval(c.duration("ws.ping-interval"))
                    .webSocketCompression(c.bool("ws.compression"))
                    .allowedOrigins(List.of(c.string("http.allowed-origins").split(",")))
                    .maxBodyBytes((int) c.size("http.max-body-size"))
                    .requestReadTimeout(c.duration("http.request-read-timeout"))
                    .httpKeepAliveTimeout(c.duration("http.keep-alive-timeout"))
                    .sseKeepAlive(c.duration("http.sse-keep-alive"))
                    .httpSessions(c.bool("http.sessions"))
                    .h2c(c.bool("http.h2c"))
                    .maxSessions(c.integer("http.max-sessions"))
                    .sessionIdleTimeout(c.duration("http.session-idle-timeout"))
                    .replayEvents(c.integer("http.replay-events"));
        }
        b.metrics(c.bool("metrics.enabled")).metricsPath(c.string("metrics.path"));
        if (c.bool("admin.enabled")) {
            b.admin(c.string("admin.host"), c.integer("admin.port"));
        }
        if (c.bool("tcp.enabled")) {
            b.tcp(c.string("tcp.host"), c.integer("tcp.port"));
        } else {
            b.noTcp();
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
        PolicySetup.configure(b, c, env);
        if (c.bool("demo.enabled")) {
            for (Tool t : demoTools(c)) {
                b.tool(t);
            }
            addDemoContent(c, b);
        }
        Peregrine server = b.build();
        if (c.bool("conformance.fixtures")) {
            ConformanceFixtures.addTo(server);
        }
        return server;
    }

    private static List<Tool> demoTools(PeregrineConfig c) {
        List<Tool> tools = new ArrayList<>();
        tools.add(EchoTool.create());
        tools.add(AskUserTool.create());
        tools.add(AskModelTool.create());
        tools.add(CountdownTool.create());
        Path root = c.path("demo.fs.root");
        if (!Files.isDirectory(root)) {
            throw new ConfigException("demo.fs.root: \"" + root + "\" is not a directory");
        }
        tools.addAll(FileSystemTools.create(root, c.size("demo.fs.max-read-bytes"), c.integer("demo.fs.max-results")));
        return tools;
    }

    /** The served root as resources (each file, and the template fs:///{+path}) and the prompts over it. */
    private static void addDemoContent(PeregrineConfig c, Peregrine.Builder b) {
        FileSystemResources files = FileSystemResources.create(c.path("demo.fs.root"),
                c.size("demo.fs.max-read-bytes"), c.integer("demo.fs.max-results"));
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
        for (ConfigKey k : ConfigKey.all().values()) {
            sb.append(String.format("  %-28s %-36s %s%n    %s%n", k.name(), k.envName(), k.defaultValue(), k.description()));
        }
        return sb.toString();
    }

    /** {@code --help}: print usage, start nothing. */
    static final class UsageRequested extends RuntimeException {
        UsageRequested(String usage) {
            super(usage, null, false, false);
        }
    }
}
