package io.peregrine.launcher;

import io.peregrine.Peregrine;
import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigKey;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.ops.health.DependencyCheck;
import io.peregrine.ops.health.DependencyStatus;
import io.peregrine.ops.metrics.RedisMetrics;
import io.peregrine.policy.ApiKeyAuthenticator;
import io.peregrine.policy.AuditLog;
import io.peregrine.policy.Authenticator;
import io.peregrine.policy.ClientCertificates;
import io.peregrine.policy.JwtAuthenticator;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.ProtectedResource;
import io.peregrine.policy.RateLimit;
import io.peregrine.policy.RateLimiter;
import io.peregrine.policy.SharedLimits;
import io.peregrine.policy.redis.RedisSharedCache;
import io.peregrine.policy.redis.RedisSharedLimits;
import io.peregrine.policy.redis.RedisSharedTasks;
import io.peregrine.policy.redis.ReplicaAgreement;
import io.peregrine.policy.redis.RedisStore;
import io.peregrine.transport.tls.TlsContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns the keys of scope {@link ConfigKey.Scope#POLICY POLICY} (authentication, limits, cache, TLS, audit) into policy objects. */
final class PolicySetup {

    private PolicySetup() {
    }

    /**
     * Configures the policy of {@code b}.
     *
     * @return the Redis store replicas share state through, or null when {@code redis.uri} is unset;
     *         the policy closes it
     */
    static RedisStore configure(Peregrine.Builder b, PeregrineConfig c, Map<String, String> env) {
        PolicyChain.Builder policy = PolicyChain.builder()
                .cacheMaxEntries(c.get(ConfigKey.CACHE_MAX_ENTRIES))
                .audit(new AuditLog(c.get(ConfigKey.AUDIT_TOOL_CALLS)))
                .protectedResource(new ProtectedResource(c.get(ConfigKey.AUTH_RESOURCE),
                        list(c.get(ConfigKey.AUTH_AUTHORIZATION_SERVERS)), List.of()));
        Authenticator tcp = authenticator(c, env, ConfigKey.TCP_AUTH);
        Authenticator http = authenticator(c, env, ConfigKey.HTTP_AUTH);
        policy.authenticator("tcp", tcp).authenticator("ws", http).authenticator("http", http);
        RateLimiter.Builder limits = limiter(c);
        RedisStore redis = null;
        if (!c.get(ConfigKey.REDIS_URI).isBlank()) {
            SharedLimits.FailureMode mode = guard("limits.redis-failure",
                    () -> RedisSharedLimits.failureMode(c.get(ConfigKey.LIMITS_REDIS_FAILURE)));
            boolean cluster = c.get(ConfigKey.REDIS_CLUSTER);
            redis = guard("redis.uri", () -> RedisStore.connect(c.get(ConfigKey.REDIS_URI), cluster,
                    c.get(ConfigKey.REDIS_PASSWORD_ENV), c.get(ConfigKey.REDIS_TIMEOUT), c.get(ConfigKey.REDIS_KEY_PREFIX), env::get));
            policy.closeWith(redis);
            RedisStore store = redis;
            try {
                ReplicaAgreement.Mode agreement = guard("redis.disagreement",
                        () -> ReplicaAgreement.mode(c.get(ConfigKey.REDIS_DISAGREEMENT)));
                policy.closeWith(guard("redis.disagreement", () -> ReplicaAgreement.join(store,
                        c.get(ConfigKey.SERVER_NAME), sharedSettings(c), agreement)));
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            if (c.get(ConfigKey.TASKS_SHARED)) {
                RedisSharedTasks tasks = guard("tasks.shared", () -> new RedisSharedTasks(store));
                policy.sharedTasks(tasks).closeWith(tasks);
            }
            if (c.get(ConfigKey.CACHE_SHARED)) {
                RedisSharedCache cache = guard("cache.shared", () -> new RedisSharedCache(store));
                policy.sharedCache(cache).closeWith(cache);
            }
            if (limits != null && c.get(ConfigKey.LIMITS_SHARED)) {
                RedisSharedLimits.Mode sharing = guard("limits.shared-mode",
                        () -> RedisSharedLimits.mode(c.get(ConfigKey.LIMITS_SHARED_MODE)));
                int batch = c.get(ConfigKey.LIMITS_SHARED_BATCH);
                limits.shared(sharing == RedisSharedLimits.Mode.LEASE
                        ? RedisSharedLimits.leased(redis, mode, c.get(ConfigKey.LIMITS_LEASE_TOKENS),
                                c.get(ConfigKey.LIMITS_LEASE_MAX_SHARE), batch)
                        : new RedisSharedLimits(redis, mode, batch));
            }
        }
        if (limits != null) {
            policy.rateLimiter(limits.build());
        }
        b.policy(policy.build());
        if (c.get(ConfigKey.TCP_TLS) || c.get(ConfigKey.HTTP_TLS)) {
            TlsContext tls = tls(c);
            if (c.get(ConfigKey.TCP_TLS)) {
                b.tcpTls(tls);
            }
            if (c.get(ConfigKey.HTTP_TLS)) {
                b.httpTls(tls);
            }
            if (!c.get(ConfigKey.AUTH_CLIENT_CERTIFICATES).isBlank()) {
                b.clientCertificates(guard("auth.client-certificates",
                        () -> ClientCertificates.parse(c.get(ConfigKey.AUTH_CLIENT_CERTIFICATES))));
            }
        }
        return redis;
    }

    /**
     * The settings replicas sharing a Redis must agree on, as {@link ReplicaAgreement} compares
     * them: those that shape the keys written there, the key that signs request states and the
     * key that seals session ids (each as a digest), which another replica must read.
     */
    static Map<String, String> sharedSettings(PeregrineConfig c) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (ConfigKey<?> key : List.of(ConfigKey.REDIS_KEY_PREFIX, ConfigKey.TASKS_SHARED, ConfigKey.CACHE_SHARED, ConfigKey.LIMITS_SHARED, ConfigKey.LIMITS_GLOBAL,
                ConfigKey.LIMITS_PER_PRINCIPAL, ConfigKey.LIMITS_PER_TOOL, ConfigKey.LIMITS_PER_PRINCIPAL_TOOL)) {
            out.put(key.name(), String.valueOf(c.get(key)).trim());
        }
        out.put(ConfigKey.CLIENT_REQUESTS_STATE_KEY.name(), ReplicaAgreement.secret(c.get(ConfigKey.CLIENT_REQUESTS_STATE_KEY)));
        // Empty is no key at all (sessions stay on their replica), which replicas agree on.
        String sessionKey = c.get(ConfigKey.GATEWAY_SESSION_KEY);
        out.put(ConfigKey.GATEWAY_SESSION_KEY.name(), sessionKey.isEmpty() ? "" : ReplicaAgreement.secret(sessionKey));
        return out;
    }

    /**
     * Counts the work of {@code redis} in the server's metrics, and reports it among the server's dependencies: required ({@code redis.required}: not
     * ready while Redis does not answer) or optional (reported, the server serving on degraded).
     */
    static void reportRedis(Peregrine server, PeregrineConfig c, RedisStore redis) {
        if (server.metrics() != null) {
            redis.events(new RedisMetrics(server.metrics().registry(), redis::isUp, c.get(ConfigKey.LIMITS_REDIS_FAILURE)));
        }
        DependencyCheck check = () -> redisStatus(redis);
        if (c.get(ConfigKey.REDIS_REQUIRED)) {
            server.dependencies().required("redis", check);
        } else {
            server.dependencies().optional("redis", check);
        }
    }

    /** Up or down, where, and the last error with its time: what an operator reads in {@code /ready}. */
    static DependencyStatus redisStatus(RedisStore redis) {
        String error = redis.lastError();
        String last = error == null ? "" : "last error at " + java.time.Instant.ofEpochMilli(redis.lastErrorAtMillis())
                + ": " + error;
        if (redis.isUp()) {
            return DependencyStatus.up(redis.where() + (error == null ? "" : "; " + last));
        }
        if (error == null) {
            return DependencyStatus.down(redis.where() + ": disconnected");
        }
        return DependencyStatus.down(redis.where() + ": " + last);
    }

    private static Authenticator authenticator(PeregrineConfig c, Map<String, String> env, ConfigKey<String> key) {
        String mode = c.get(key).trim().toLowerCase(Locale.ROOT);
        switch (mode) {
            case "none":
            case "":
                return Authenticator.none();
            case "api-key":
                return apiKeys(c);
            case "jwt":
                return jwt(c, env);
            default:
                throw new ConfigException(key + ": \"" + c.get(key) + "\" (expected: " + key.bounds() + ")");
        }
    }

    private static Authenticator apiKeys(PeregrineConfig c) {
        String file = c.get(ConfigKey.AUTH_API_KEYS_FILE);
        if (file.isBlank()) {
            throw new ConfigException("auth.api-keys-file: \"\" (expected: the key file, since a listener uses api-key)");
        }
        try {
            return ApiKeyAuthenticator.fromFile(Path.of(file));
        } catch (IOException e) {
            throw new ConfigException("auth.api-keys-file: \"" + file + "\" cannot be read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("auth.api-keys-file: " + e.getMessage(), e);
        }
    }

    private static Authenticator jwt(PeregrineConfig c, Map<String, String> env) {
        JwtAuthenticator.Builder jwt = JwtAuthenticator.builder();
        String jwks = c.get(ConfigKey.AUTH_JWT_JWKS_URL);
        String secretEnv = c.get(ConfigKey.AUTH_JWT_SECRET_ENV);
        guard("auth.jwt", () -> {
            if (!jwks.isBlank()) {
                jwt.jwksUrl(jwks);
            } else {
                String secret = env.get(secretEnv);
                if (secret == null || secret.isEmpty()) {
                    throw new ConfigException("auth.jwt.secret-env: environment variable " + secretEnv
                            + " is not set (expected: the HS256 secret, at least 32 bytes; or set auth.jwt.jwks-url)");
                }
                jwt.hs256Secret(secret);
            }
            if (c.get(ConfigKey.AUTH_JWT_AUDIENCE).isBlank()) {
                throw new ConfigException("auth.jwt.audience: \"\" (expected: this server's resource identifier, "
                        + "the aud tokens must carry)");
            }
            jwt.audience(c.get(ConfigKey.AUTH_JWT_AUDIENCE))
                    .issuer(c.get(ConfigKey.AUTH_JWT_ISSUER))
                    .clockSkew(c.get(ConfigKey.AUTH_JWT_CLOCK_SKEW))
                    .jwksCacheTtl(c.get(ConfigKey.AUTH_JWT_JWKS_CACHE_TTL))
                    .jwksMinRefreshInterval(c.get(ConfigKey.AUTH_JWT_JWKS_MIN_REFRESH_INTERVAL));
            for (Map.Entry<String, List<String>> role : roles(c.get(ConfigKey.AUTH_ROLES)).entrySet()) {
                jwt.role(role.getKey(), role.getValue());
            }
            return null;
        });
        return guard("auth.jwt", jwt::build);
    }

    private static Map<String, List<String>> roles(String spec) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (String entry : list(spec)) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("auth.roles: \"" + entry + "\" (expected: role=scope scope, role=scope)");
            }
            out.put(entry.substring(0, eq).trim(), List.of(entry.substring(eq + 1).trim().split("\\s+")));
        }
        return out;
    }

    private static RateLimiter.Builder limiter(PeregrineConfig c) {
        RateLimiter.Builder b = RateLimiter.builder()
                .maxKeys(c.get(ConfigKey.LIMITS_MAX_PRINCIPALS))
                .idleExpiry(c.get(ConfigKey.LIMITS_IDLE_EXPIRY));
        boolean any = false;
        String v;
        if (!(v = c.get(ConfigKey.LIMITS_GLOBAL)).isBlank()) {
            b.global(limit("limits.global", v));
            any = true;
        }
        if (!(v = c.get(ConfigKey.LIMITS_PER_PRINCIPAL)).isBlank()) {
            b.perPrincipal(limit("limits.per-principal", v));
            any = true;
        }
        if (!(v = c.get(ConfigKey.LIMITS_PER_CONNECTION)).isBlank()) {
            b.perConnection(limit("limits.per-connection", v));
            any = true;
        }
        if (!(v = c.get(ConfigKey.LIMITS_PER_TOOL)).isBlank()) {
            String spec = v;
            guard("limits.per-tool", () -> b.perTool(spec));
            any = true;
        }
        if (!(v = c.get(ConfigKey.LIMITS_PER_PRINCIPAL_TOOL)).isBlank()) {
            String spec = v;
            guard("limits.per-principal-tool", () -> b.perPrincipalTool(spec));
            any = true;
        }
        return any ? b : null;
    }

    private static RateLimit limit(String key, String value) {
        return guard(key, () -> RateLimit.parse(value));
    }

    private static TlsContext tls(PeregrineConfig c) {
        String cert = c.get(ConfigKey.TLS_CERT_FILE);
        String key = c.get(ConfigKey.TLS_KEY_FILE);
        if (cert.isBlank() || key.isBlank()) {
            throw new ConfigException("tls.cert-file, tls.key-file: \"" + cert + "\", \"" + key
                    + "\" (expected: both PEM files, since a listener serves TLS)");
        }
        TlsContext.Builder b = TlsContext.builder(Path.of(cert), Path.of(key))
                .reloadInterval(c.get(ConfigKey.TLS_RELOAD_INTERVAL));
        String clientAuth = c.get(ConfigKey.TLS_CLIENT_AUTH).trim().toLowerCase(Locale.ROOT);
        if (!clientAuth.equals("none")) {
            if (!clientAuth.equals("optional") && !clientAuth.equals("require")) {
                throw new ConfigException("tls.client-auth: \"" + c.get(ConfigKey.TLS_CLIENT_AUTH)
                        + "\" (expected: none, optional or require)");
            }
            String ca = c.get(ConfigKey.TLS_CLIENT_CA_FILE);
            if (ca.isBlank()) {
                throw new ConfigException("tls.client-ca-file: \"\" (expected: the CA file, since tls.client-auth is "
                        + clientAuth + ")");
            }
            b.clientCertificates(Path.of(ca), clientAuth.equals("require"));
        }
        String provider = c.get(ConfigKey.TLS_PROVIDER).trim().toLowerCase(Locale.ROOT);
        if (!provider.equals("jdk") && !provider.equals("openssl")) {
            throw new ConfigException("tls.provider: \"" + c.get(ConfigKey.TLS_PROVIDER) + "\" (expected: jdk or openssl)");
        }
        guard("tls.provider", () -> b.provider(provider.equals("jdk") ? TlsContext.Provider.JDK : TlsContext.Provider.OPENSSL));
        return guard("tls", b::build);
    }

    private static List<String> list(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    private static <T> T guard(String key, java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConfigException(key + ": " + e.getMessage(), e);
        }
    }
}
