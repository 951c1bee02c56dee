package io.peregrine.launcher;

import io.peregrine.Peregrine;
import io.peregrine.config.ConfigException;
import io.peregrine.config.PeregrineConfig;
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
import io.peregrine.policy.redis.RedisSharedLimits;
import io.peregrine.policy.redis.RedisStore;
import io.peregrine.transport.tls.TlsContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns the {@code auth.*}, {@code limits.*}, {@code redis.*}, {@code cache.*}, {@code tls.*} and {@code audit.*} keys into policy. */
final class PolicySetup {

    private PolicySetup() {
    }

    static void configure(Peregrine.Builder b, PeregrineConfig c, Map<String, String> env) {
        PolicyChain.Builder policy = PolicyChain.builder()
                .cacheMaxEntries(c.integer("cache.max-entries"))
                .audit(new AuditLog(c.bool("audit.tool-calls")))
                .protectedResource(new ProtectedResource(c.string("auth.resource"),
                        list(c.string("auth.authorization-servers")), List.of()));
        Authenticator tcp = authenticator(c, env, "tcp.auth");
        Authenticator http = authenticator(c, env, "http.auth");
        policy.authenticator("tcp", tcp).authenticator("ws", http).authenticator("http", http);
        RateLimiter.Builder limits = limiter(c);
        if (limits != null) {
            if (!c.string("redis.uri").isBlank() && c.bool("limits.shared")) {
                SharedLimits.FailureMode mode = guard("limits.redis-failure",
                        () -> RedisSharedLimits.failureMode(c.string("limits.redis-failure")));
                RedisStore redis = guard("redis.uri", () -> RedisStore.connect(c.string("redis.uri"),
                        c.string("redis.password-env"), c.duration("redis.timeout"), c.string("redis.key-prefix"), env::get));
                policy.closeWith(redis);
                limits.shared(new RedisSharedLimits(redis, mode));
            }
            policy.rateLimiter(limits.build());
        }
        b.policy(policy.build());
        b.allowAnonymousRemote(c.bool("auth.allow-anonymous-remote"));
        if (c.bool("tcp.tls") || c.bool("http.tls")) {
            TlsContext tls = tls(c);
            if (c.bool("tcp.tls")) {
                b.tcpTls(tls);
            }
            if (c.bool("http.tls")) {
                b.httpTls(tls);
            }
            if (!c.string("auth.client-certificates").isBlank()) {
                b.clientCertificates(guard("auth.client-certificates",
                        () -> ClientCertificates.parse(c.string("auth.client-certificates"))));
            }
        }
    }

    private static Authenticator authenticator(PeregrineConfig c, Map<String, String> env, String key) {
        String mode = c.string(key).trim().toLowerCase(Locale.ROOT);
        switch (mode) {
            case "none":
            case "":
                return Authenticator.none();
            case "api-key":
                return apiKeys(c);
            case "jwt":
                return jwt(c, env);
            default:
                throw new ConfigException(key + ": \"" + c.string(key) + "\" (expected: none, api-key or jwt)");
        }
    }

    private static Authenticator apiKeys(PeregrineConfig c) {
        String file = c.string("auth.api-keys-file");
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
        String jwks = c.string("auth.jwt.jwks-url");
        String secretEnv = c.string("auth.jwt.secret-env");
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
            if (c.string("auth.jwt.audience").isBlank()) {
                throw new ConfigException("auth.jwt.audience: \"\" (expected: this server's resource identifier, "
                        + "the aud tokens must carry)");
            }
            jwt.audience(c.string("auth.jwt.audience"))
                    .issuer(c.string("auth.jwt.issuer"))
                    .clockSkew(c.duration("auth.jwt.clock-skew"))
                    .jwksCacheTtl(c.duration("auth.jwt.jwks-cache-ttl"))
                    .jwksMinRefreshInterval(c.duration("auth.jwt.jwks-min-refresh-interval"));
            for (Map.Entry<String, List<String>> role : roles(c.string("auth.roles")).entrySet()) {
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
                .maxKeys(c.integer("limits.max-principals"))
                .idleExpiry(c.duration("limits.idle-expiry"));
        boolean any = false;
        String v;
        if (!(v = c.string("limits.global")).isBlank()) {
            b.global(limit("limits.global", v));
            any = true;
        }
        if (!(v = c.string("limits.per-principal")).isBlank()) {
            b.perPrincipal(limit("limits.per-principal", v));
            any = true;
        }
        if (!(v = c.string("limits.per-connection")).isBlank()) {
            b.perConnection(limit("limits.per-connection", v));
            any = true;
        }
        if (!(v = c.string("limits.per-tool")).isBlank()) {
            String spec = v;
            guard("limits.per-tool", () -> b.perTool(spec));
            any = true;
        }
        if (!(v = c.string("limits.per-principal-tool")).isBlank()) {
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
        String cert = c.string("tls.cert-file");
        String key = c.string("tls.key-file");
        if (cert.isBlank() || key.isBlank()) {
            throw new ConfigException("tls.cert-file, tls.key-file: \"" + cert + "\", \"" + key
                    + "\" (expected: both PEM files, since a listener serves TLS)");
        }
        TlsContext.Builder b = TlsContext.builder(Path.of(cert), Path.of(key))
                .reloadInterval(c.duration("tls.reload-interval"));
        String clientAuth = c.string("tls.client-auth").trim().toLowerCase(Locale.ROOT);
        if (!clientAuth.equals("none")) {
            if (!clientAuth.equals("optional") && !clientAuth.equals("require")) {
                throw new ConfigException("tls.client-auth: \"" + c.string("tls.client-auth")
                        + "\" (expected: none, optional or require)");
            }
            String ca = c.string("tls.client-ca-file");
            if (ca.isBlank()) {
                throw new ConfigException("tls.client-ca-file: \"\" (expected: the CA file, since tls.client-auth is "
                        + clientAuth + ")");
            }
            b.clientCertificates(Path.of(ca), clientAuth.equals("require"));
        }
        String provider = c.string("tls.provider").trim().toLowerCase(Locale.ROOT);
        if (!provider.equals("jdk") && !provider.equals("openssl")) {
            throw new ConfigException("tls.provider: \"" + c.string("tls.provider") + "\" (expected: jdk or openssl)");
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
