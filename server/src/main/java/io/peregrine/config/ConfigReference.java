package io.peregrine.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code docs/configuration.md}, the configuration reference, from {@link ConfigKey}: the
 * page is generated so that it cannot drift from the keys, and a test fails when the committed page
 * differs from what this writes. Regenerate it, from the repository's root, with
 *
 * <pre>
 * mvn -q -pl server compile exec:java -Dexec.mainClass=io.peregrine.config.ConfigReference
 * </pre>
 *
 * or, once the classes are compiled, {@code java -cp server/target/classes io.peregrine.config.ConfigReference}.
 */
public final class ConfigReference {

    /** The command that regenerates the page, for the test that finds it out of date. */
    public static final String REGENERATE = "mvn -q -pl server compile exec:java -Dexec.mainClass=io.peregrine.config.ConfigReference"
            + "   (or: java -cp server/target/classes io.peregrine.config.ConfigReference)";

    /** Each group's heading and, for some, a paragraph before its table. */
    private static final Map<String, String[]> GROUPS = new LinkedHashMap<>();

    static {
        group("server", "The server's identity", null);
        group("tcp", "The TCP listener", "MCP as newline-delimited JSON-RPC, one message a line.");
        group("http", "The HTTP listener",
                "One port serves MCP over Streamable HTTP and WebSocket at `ws.path`, and the probes: `GET /health` "
                        + "(liveness, always 200 while the process runs), `GET /health?verbose` or `GET /health/details` "
                        + "(JSON: name, version, uptime, open connections and sessions, tool calls in flight, tools served, stray calls (ended calls whose handler ignores the interrupt), "
                        + "and the state of each dependency) and `GET /ready` (503 while starting, while shutting down, and while a required "
                        + "dependency is down).");
        group("ws", "WebSocket and the MCP path", null);
        group("json", "JSON limits", null);
        group("connection", "Back-pressure", null);
        group("exec", "The tool executor", null);
        group("io", "I/O threads", null);
        group("tools", "Tools", null);
        group("client-requests", "Asking the client (sampling, elicitation, roots)", null);
        group("tasks", "Tasks", null);
        group("shutdown", "Shutdown",
                "On SIGTERM (or `Peregrine.close()` embedded) `/ready` answers 503 at once while everything is still "
                        + "served for `shutdown.ready-delay`, so that load balancers stop sending; then the listeners stop "
                        + "accepting, running calls get up to `shutdown.drain-timeout` to finish, and the standalone "
                        + "server exits with status 0.");
        group("metrics", "Metrics", "Prometheus metrics, named by the OpenTelemetry MCP conventions; "
                + "[operations.md](operations.md) lists every metric.");
        group("admin", "The admin listener", "`/metrics`, `/health` and `/ready` on a port of their own, without authentication: "
                + "where Prometheus and the orchestrator's probes go when the MCP listeners require credentials.");
        group("demo", "The demo content", "The standalone server's example tools, resources and prompts.");
        group("auth", "Authentication and authorization", null);
        group("limits", "Rate limits", "Token buckets written N/period: `5/1m`, `100/1s`, `10000/1h`.");
        group("cache", "The result cache", null);
        group("tls", "TLS", null);
        group("audit", "The audit log", null);
        group("conformance", "Conformance fixtures", null);
        group("registration", "Registering this server in Consul or etcd",
                "So that gateways and clients discover this server: a Consul service with an HTTP check on `/health`, "
                        + "or an etcd key under a lease kept alive; removed on shutdown. "
                        + "[gateway-discovery.md](gateway-discovery.md) shows both directions.");
        group("gateway", "The gateway: upstream MCP servers",
                "Each upstream is a group of keys under `gateway.upstreams.<name>.`, where `<name>` (1 to 32 of "
                        + "`A-Z a-z 0-9 _ -`) names it in logs, errors and, by default, as the prefix of its federated names. "
                        + "Set `url` or `command`, not both; or `discovery` ([gateway-discovery.md](gateway-discovery.md)). In the environment the name is written in upper case and read "
                        + "back in lower case: `PEREGRINE_GATEWAY_UPSTREAMS_PERI_URL=tcp://127.0.0.1:7500`; "
                        + "`PEREGRINE_GATEWAY_UPSTREAMS_PERI_ENV_DEBUG=1` sets `env.DEBUG`. "
                        + "[gateway.md](gateway.md) explains naming, faults and the rest.");
    }

    private ConfigReference() {
    }

    private static void group(String name, String title, String intro) {
        GROUPS.put(name, new String[] {title, intro});
    }

    /**
     * Writes the page to {@code args[0]}, or to {@code docs/configuration.md} under the working
     * directory (or its parent, when run from {@code server/}).
     */
    public static void main(String[] args) throws IOException {
        Path out = args.length > 0 ? Path.of(args[0])
                : !Files.isDirectory(Path.of("docs")) && Files.isDirectory(Path.of("../docs"))
                ? Path.of("../docs/configuration.md") : Path.of("docs/configuration.md");
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, render(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
    }

    /** The whole page. */
    public static String render() {
        Map<String, List<ConfigKey<?>>> byGroup = new LinkedHashMap<>();
        for (ConfigKey<?> key : ConfigKey.all().values()) {
            byGroup.computeIfAbsent(key.group(), g -> new ArrayList<>()).add(key);
        }
        for (ConfigKey<?> key : ConfigKey.templates().values()) {
            byGroup.computeIfAbsent(key.group(), g -> new ArrayList<>()).add(key);
        }
        StringBuilder md = new StringBuilder();
        intro(md);
        md.append("## Contents\n\n");
        for (String group : byGroup.keySet()) {
            md.append("- [").append(title(group)).append("](#").append(anchor(group)).append(")\n");
        }
        byGroup.forEach((group, keys) -> section(md, group, keys));
        return md.toString();
    }

    private static void intro(StringBuilder md) {
        md.append("# Configuration reference\n\n")
                .append("<!-- Generated from io.peregrine.config.ConfigKey by io.peregrine.config.ConfigReference: "
                        + "do not edit; regenerate with\n     ").append(REGENERATE).append(" -->\n\n")
                .append("Every setting of Peregrine, with its type, default, bounds and meaning. You can set any key in "
                        + "three ways; a later one wins over an earlier one:\n\n")
                .append("1. **In a YAML file**: `config/peregrine.yaml` (read by `./peregrine` when it exists) or the file "
                        + "given with `--config FILE`. Keys nest by their dots, or are written whole:\n\n")
                .append("   ```yaml\n   tcp:\n     port: 7500\n   shutdown.ready-delay: 10s\n   ```\n\n")
                .append("2. **In the environment**: `PEREGRINE_` and the key in upper case, with `.` and `-` as `_`: "
                        + "`PEREGRINE_TCP_PORT=7500 ./peregrine`.\n")
                .append("3. **On the command line**: `./peregrine --set tcp.port=7500` (as many `--set` as you like).\n\n")
                .append("Sizes are written `65536`, `64KiB`, `4MiB` or `1GiB` (also `KB`, `MB`, `GB`); durations `250ms`, "
                        + "`30s`, `2m` or `1h` (a bare number is milliseconds). An unknown key (with the nearest known one "
                        + "suggested) or a value out of bounds stops start-up with a message naming the key and where the "
                        + "value came from; a key that is set but unused by the rest of the configuration (`auth.jwt.*` "
                        + "without a `jwt` listener) is reported in the log. `./peregrine --help` lists the keys too.\n\n")
                .append("**Embedding.** The scope column says who reads a key. *server* keys are settings of "
                        + "`Peregrine.builder()`, with the same defaults and bounds: each has a named setter (its javadoc "
                        + "names the key) and `set(ConfigKey.TCP_PORT, 7500)` sets any of them; where an embedded "
                        + "server's default differs, the table shows both. *policy* keys are turned by the standalone "
                        + "server into objects (`PolicyChain`, authenticators, `RateLimiter`, `TlsContext`) that an "
                        + "embedding program builds itself and passes to `policy()`, `tcpTls()` and `httpTls()`. "
                        + "*launcher* keys belong to the standalone server alone.\n\n");
    }

    private static void section(StringBuilder md, String group, List<ConfigKey<?>> keys) {
        md.append("\n## ").append(title(group)).append("\n\n");
        String[] known = GROUPS.get(group);
        if (known != null && known[1] != null) {
            md.append(known[1]).append("\n\n");
        }
        md.append("| Key | Type | Default | Bounds | Scope | Meaning |\n")
                .append("|---|---|---|---|---|---|\n");
        for (ConfigKey<?> key : keys) {
            md.append("| `").append(key.name()).append("`<br>`").append(key.envName()).append("` | ")
                    .append(key.type().name().toLowerCase(Locale.ROOT).replace("int", "integer")).append(" | ")
                    .append(defaults(key)).append(" | ")
                    .append(escape(key.bounds())).append(" | ")
                    .append(key.scope().name().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(escape(key.description())).append(" |\n");
        }
    }

    private static <T> String defaults(ConfigKey<T> key) {
        String standalone = code(key.format(key.defaultValue()));
        if (key.builderDefault().equals(key.defaultValue())) {
            return standalone;
        }
        return standalone + " (embedded: " + code(key.format(key.builderDefault())) + ")";
    }

    private static String code(String value) {
        return value.isEmpty() ? "*empty*" : "`" + value.replace("|", "\\|") + "`";
    }

    private static String title(String group) {
        String[] known = GROUPS.get(group);
        return (known != null ? known[0] : group) + " (`" + group + ".*`)";
    }

    /** The anchor GitHub makes of a heading: lower case, punctuation dropped, spaces as dashes. */
    private static String anchor(String group) {
        return title(group).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
    }

    /** Table cells: a pipe ends a cell, an asterisk or an angle bracket would be read as markup. */
    private static String escape(String text) {
        return text.replace("|", "\\|").replace("*", "\\*").replace("<", "&lt;");
    }
}
