package io.peregrine.gateway;

import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigKey;
import io.peregrine.config.PeregrineConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the {@code gateway.upstreams.<name>.*} keys of a configuration into {@link UpstreamSpec}s,
 * with errors that name the key and say what to do. Credentials never come from the file: a
 * header that carries one must be given by {@code header-env.<Header>}, naming an environment
 * variable that must be set.
 */
public final class UpstreamSettings {

    private UpstreamSettings() {
    }

    /**
     * The upstreams the configuration describes, in the order their first key was set.
     *
     * @param env the environment, for {@code header-env} references
     * @throws ConfigException naming the key of a value that cannot be used
     */
    public static List<UpstreamSpec> from(PeregrineConfig config, Map<String, String> env) {
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        config.under(ConfigKey.UPSTREAMS_PREFIX).forEach((key, value) -> {
            String rest = key.substring(ConfigKey.UPSTREAMS_PREFIX.length());
            int dot = rest.indexOf('.');
            byName.computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>()).put(rest.substring(dot + 1), value);
        });
        List<UpstreamSpec> specs = new ArrayList<>();
        String uris = config.get(ConfigKey.GATEWAY_RESOURCE_URIS);
        byName.forEach((name, keys) -> specs.add(spec(name, keys, env, uris)));
        return specs;
    }

    /** @param uris {@code gateway.resource-uris}, what {@code resource-uris} is when the upstream does not set it */
    private static UpstreamSpec spec(String name, Map<String, Object> keys, Map<String, String> env, String uris) {
        String at = ConfigKey.UPSTREAMS_PREFIX + name + ".";
        UpstreamSpec.Builder b = UpstreamSpec.builder(name);
        String url = string(keys, "url", "");
        String command = string(keys, "command", "");
        io.peregrine.gateway.discovery.EndpointDiscovery discovery = DiscoverySettings.discovery(name, keys, env);
        if (discovery != null) {
            if (!command.isBlank()) {
                throw new ConfigException("upstream " + name + " has both " + at + "command and " + at + "discovery "
                        + keys.get("discovery") + " (expected: a stdio command is not discovered; remove one of them)");
            }
            b.discovery(discovery);
        } else if (url.isBlank() == command.isBlank()) {
            throw new ConfigException(url.isBlank()
                    ? "upstream " + name + " has neither " + at + "url nor " + at + "command (expected: exactly one of them)"
                    : "upstream " + name + " has both " + at + "url and " + at + "command (expected: exactly one of them)");
        }
        if (!url.isBlank()) {
            for (String u : url.split(",")) {
                if (!u.isBlank()) {
                    b.url(u.trim());
                }
            }
        } else if (!command.isBlank()) {
            b.command(command);
        }
        String cwd = string(keys, "cwd", "");
        if (!cwd.isBlank()) {
            if (command.isBlank()) {
                throw new ConfigException(at + "cwd is set but the upstream has no command (cwd is the stdio child's)");
            }
            b.workingDirectory(Path.of(cwd));
        }
        String prefix = string(keys, "prefix", "");
        if (!prefix.isEmpty()) {
            b.prefix(prefix);
        }
        b.separator(string(keys, "separator", "_"));
        b.prefixMode(PrefixMode.valueOf(string(keys, "prefix-mode", "always").trim().toUpperCase(Locale.ROOT)));
        String mode = string(keys, "resource-uris", "").trim();
        b.resourceUris(ResourceUriMode.valueOf((mode.isEmpty() ? uris : mode).trim().toUpperCase(Locale.ROOT)));
        b.tools(patterns(keys, "tools.include", "*"), patterns(keys, "tools.exclude", ""));
        b.resources(patterns(keys, "resources.include", "*"), patterns(keys, "resources.exclude", ""));
        b.prompts(patterns(keys, "prompts.include", "*"), patterns(keys, "prompts.exclude", ""));
        b.connectTimeout(duration(keys, "connect-timeout", ConfigKey.UPSTREAM_CONNECT_TIMEOUT.defaultValue()));
        b.callTimeout(duration(keys, "call-timeout", ConfigKey.UPSTREAM_CALL_TIMEOUT.defaultValue()));
        Object max = keys.get("max-in-flight");
        b.maxInFlight(max != null ? (Integer) max : ConfigKey.UPSTREAM_MAX_IN_FLIGHT.defaultValue(),
                duration(keys, "max-in-flight-wait", ConfigKey.UPSTREAM_MAX_IN_FLIGHT_WAIT.defaultValue()));
        Duration initial = duration(keys, "reconnect-backoff", ConfigKey.UPSTREAM_RECONNECT_BACKOFF.defaultValue());
        Duration longest = duration(keys, "reconnect-max-backoff", ConfigKey.UPSTREAM_RECONNECT_MAX_BACKOFF.defaultValue());
        if (longest.compareTo(initial) < 0) {
            throw new ConfigException(at + "reconnect-max-backoff: " + ConfigKey.UPSTREAM_RECONNECT_MAX_BACKOFF.format(longest)
                    + " is shorter than " + at + "reconnect-backoff " + ConfigKey.UPSTREAM_RECONNECT_BACKOFF.format(initial)
                    + " (expected: at least as long)");
        }
        b.reconnect(initial, longest);
        balancing(b, keys, at);
        String version = string(keys, "protocol-version", "negotiate").trim();
        b.protocolVersion(version.equals("negotiate") ? null : version);
        b.resilience(ResilienceSettings.from(at, keys));
        transport(b, keys, at, url);
        keys.forEach((k, v) -> {
            if (k.startsWith("env.")) {
                if (command.isBlank()) {
                    throw new ConfigException(at + k + " is set but the upstream has no command (env is the stdio child's)");
                }
                b.environment(k.substring("env.".length()), String.valueOf(v));
            } else if (k.startsWith("headers.")) {
                String header = k.substring("headers.".length());
                if (carriesCredentials(header)) {
                    throw new ConfigException(at + k + ": the " + header + " header carries a credential, which must not be "
                            + "written in the configuration; put it in an environment variable and name that with "
                            + at + "header-env." + header + " (e.g. WEATHER_TOKEN)");
                }
                b.header(header, String.valueOf(v));
            } else if (k.startsWith("header-env.")) {
                String header = k.substring("header-env.".length());
                String variable = String.valueOf(v);
                String value = env.get(variable);
                if (value == null) {
                    throw new ConfigException(at + k + " names the environment variable " + variable
                            + ", which is not set (expected: the " + header + " header's value in it)");
                }
                b.header(header, value);
            }
        });
        try {
            return b.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConfigException("upstream " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The {@code tls.*} keys and {@code h2c}. The files are read now: one that is missing or not
     * PEM, or a key that does not match its certificate, stops start-up naming its key.
     */
    private static void transport(UpstreamSpec.Builder b, Map<String, Object> keys, String at, String urls) {
        if (Boolean.FALSE.equals(keys.get("link-per-io-thread"))) {
            b.linkPerIoThread(false);
        }
        boolean h2c = Boolean.TRUE.equals(keys.get("h2c"));
        if (h2c) {
            for (String u : urls.split(",")) {
                if (!u.isBlank() && !u.trim().toLowerCase(Locale.ROOT).startsWith("http://")) {
                    throw new ConfigException(at + "h2c: true, but " + u.trim() + " is not an http:// URL (expected: "
                            + "h2c only for cleartext Streamable HTTP; https:// negotiates its HTTP version in TLS)");
                }
            }
            b.h2c(true);
        }
        String ca = string(keys, "tls.ca-file", "").trim();
        String cert = string(keys, "tls.cert-file", "").trim();
        String key = string(keys, "tls.key-file", "").trim();
        boolean verify = !Boolean.FALSE.equals(keys.get("tls.verify"));
        if (cert.isEmpty() != key.isEmpty()) {
            String missing = cert.isEmpty() ? "tls.cert-file" : "tls.key-file";
            throw new ConfigException(at + missing + ": \"\" (expected: a PEM file, since " + at
                    + (cert.isEmpty() ? "tls.key-file" : "tls.cert-file") + " is set; a client certificate needs both)");
        }
        if (!verify && !ca.isEmpty()) {
            throw new ConfigException(at + "tls.ca-file is set but " + at + "tls.verify is false (expected: one of them: "
                    + "trust that CA, or verify nothing)");
        }
        if (ca.isEmpty() && cert.isEmpty() && verify) {
            return;
        }
        UpstreamTls tls;
        try {
            tls = !verify ? UpstreamTls.unverified() : ca.isEmpty() ? UpstreamTls.verifying() : UpstreamTls.trusting(Path.of(ca));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(at + "tls.ca-file: " + e.getMessage(), e);
        }
        if (!cert.isEmpty()) {
            Path keyFile = Path.of(key);
            try {
                tls = tls.withClientCertificate(Path.of(cert), keyFile);
            } catch (IllegalArgumentException e) {
                // PemFiles names the file at fault first.
                String which = e.getMessage().startsWith(keyFile + " :") ? "tls.key-file" : "tls.cert-file";
                throw new ConfigException(at + which + ": " + e.getMessage(), e);
            }
        }
        b.tls(tls);
    }

    /** The keys of load balancing, health checks and outlier detection. */
    private static void balancing(UpstreamSpec.Builder b, Map<String, Object> keys, String at) {
        b.loadBalancing(LoadBalancing.of(string(keys, "load-balancing", ConfigKey.UPSTREAM_LOAD_BALANCING.defaultValue())));
        String weights = string(keys, "weights", "");
        for (String entry : weights.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.lastIndexOf('=');
            try {
                b.weight(entry.substring(0, eq).trim(), Integer.parseInt(entry.substring(eq + 1).trim()));
            } catch (RuntimeException e) {
                throw new ConfigException(at + "weights: \"" + entry.trim() + "\" (expected: host:port=weight, 1 to 1000)");
            }
        }
        b.hashKey(string(keys, "hash-key", ConfigKey.UPSTREAM_HASH_KEY.defaultValue()).trim());
        b.slowStart(duration(keys, "slow-start", ConfigKey.UPSTREAM_SLOW_START.defaultValue()));
        b.taskStartWait(duration(keys, "task-start-wait", ConfigKey.UPSTREAM_TASK_START_WAIT.defaultValue()));
        b.healthChecks(duration(keys, "health.interval", ConfigKey.UPSTREAM_HEALTH_INTERVAL.defaultValue()),
                duration(keys, "health.timeout", ConfigKey.UPSTREAM_HEALTH_TIMEOUT.defaultValue()),
                integer(keys, "health.unhealthy-threshold", ConfigKey.UPSTREAM_HEALTH_UNHEALTHY_THRESHOLD.defaultValue()),
                integer(keys, "health.healthy-threshold", ConfigKey.UPSTREAM_HEALTH_HEALTHY_THRESHOLD.defaultValue()));
        Duration base = duration(keys, "outlier.base-ejection", ConfigKey.UPSTREAM_OUTLIER_BASE_EJECTION.defaultValue());
        Duration max = duration(keys, "outlier.max-ejection", ConfigKey.UPSTREAM_OUTLIER_MAX_EJECTION.defaultValue());
        if (max.compareTo(base) < 0) {
            throw new ConfigException(at + "outlier.max-ejection: " + ConfigKey.UPSTREAM_OUTLIER_MAX_EJECTION.format(max)
                    + " is shorter than " + at + "outlier.base-ejection " + ConfigKey.UPSTREAM_OUTLIER_BASE_EJECTION.format(base)
                    + " (expected: at least as long)");
        }
        b.outlierDetection(integer(keys, "outlier.consecutive-failures", ConfigKey.UPSTREAM_OUTLIER_CONSECUTIVE_FAILURES.defaultValue()),
                base, max, integer(keys, "outlier.max-ejection-percent", ConfigKey.UPSTREAM_OUTLIER_MAX_EJECTION_PERCENT.defaultValue()));
    }

    private static int integer(Map<String, Object> keys, String key, int def) {
        Object v = keys.get(key);
        return v == null ? def : (Integer) v;
    }

    /** Headers whose values are credentials by name: these come from the environment only. */
    static boolean carriesCredentials(String header) {
        String h = header.toLowerCase(Locale.ROOT);
        return h.equals("authorization") || h.equals("proxy-authorization") || h.equals("cookie")
                || h.endsWith("-key") || h.endsWith("-token") || h.endsWith("-secret") || h.contains("api-key")
                || h.contains("apikey");
    }

    private static String string(Map<String, Object> keys, String key, String def) {
        Object v = keys.get(key);
        return v == null ? def : String.valueOf(v);
    }

    private static Duration duration(Map<String, Object> keys, String key, Duration def) {
        Object v = keys.get(key);
        return v == null ? def : (Duration) v;
    }

    private static List<String> patterns(Map<String, Object> keys, String key, String def) {
        return NamePatterns.split(string(keys, key, def));
    }
}
