package io.peregrine.gateway;

import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigKey;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an upstream's {@code circuit-breaker.*}, {@code retry.*}, {@code hedge.*} and
 * {@code fallback.<tool>.*} keys (already parsed and checked one by one) into a
 * {@link ResilienceSpec}, checking how they go together.
 */
final class ResilienceSettings {

    private ResilienceSettings() {
    }

    /**
     * @param at   the upstream's key prefix, {@code gateway.upstreams.<name>.}
     * @param keys its keys without that prefix
     */
    static ResilienceSpec from(String at, Map<String, Object> keys) {
        ResilienceSpec.Builder b = ResilienceSpec.builder();
        try {
            b.circuitBreaker(get(keys, "circuit-breaker.enabled", ConfigKey.UPSTREAM_BREAKER_ENABLED.defaultValue()),
                    get(keys, "circuit-breaker.window", ConfigKey.UPSTREAM_BREAKER_WINDOW.defaultValue()),
                    get(keys, "circuit-breaker.minimum-calls", ConfigKey.UPSTREAM_BREAKER_MINIMUM_CALLS.defaultValue()),
                    get(keys, "circuit-breaker.failure-rate", ConfigKey.UPSTREAM_BREAKER_FAILURE_RATE.defaultValue()),
                    get(keys, "circuit-breaker.open-for", ConfigKey.UPSTREAM_BREAKER_OPEN_FOR.defaultValue()),
                    get(keys, "circuit-breaker.half-open-calls", ConfigKey.UPSTREAM_BREAKER_PROBES.defaultValue()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(at + "circuit-breaker: " + e.getMessage(), e);
        }
        Duration backoff = get(keys, "retry.backoff", ConfigKey.UPSTREAM_RETRY_BACKOFF.defaultValue());
        Duration longest = get(keys, "retry.max-backoff", ConfigKey.UPSTREAM_RETRY_MAX_BACKOFF.defaultValue());
        if (longest.compareTo(backoff) < 0) {
            throw new ConfigException(at + "retry.max-backoff: " + ConfigKey.UPSTREAM_RETRY_MAX_BACKOFF.format(longest)
                    + " is shorter than " + at + "retry.backoff " + ConfigKey.UPSTREAM_RETRY_BACKOFF.format(backoff)
                    + " (expected: at least as long)");
        }
        b.retry(get(keys, "retry.max-attempts", ConfigKey.UPSTREAM_RETRY_MAX_ATTEMPTS.defaultValue()), backoff, longest);
        b.retryBudget(get(keys, "retry.budget-percent", ConfigKey.UPSTREAM_RETRY_BUDGET.defaultValue()),
                get(keys, "retry.budget-min-per-second", ConfigKey.UPSTREAM_RETRY_BUDGET_MIN.defaultValue()),
                get(keys, "retry.budget-window", ConfigKey.UPSTREAM_RETRY_BUDGET_WINDOW.defaultValue()));
        b.hedge(get(keys, "hedge.enabled", ConfigKey.UPSTREAM_HEDGE_ENABLED.defaultValue()),
                get(keys, "hedge.delay", ConfigKey.UPSTREAM_HEDGE_DELAY.defaultValue()));
        Map<String, Map<String, String>> fallbacks = new LinkedHashMap<>();
        keys.forEach((k, v) -> {
            if (k.startsWith("fallback.")) {
                String rest = k.substring("fallback.".length());
                int dot = rest.lastIndexOf('.');
                fallbacks.computeIfAbsent(rest.substring(0, dot), t -> new LinkedHashMap<>())
                        .put(rest.substring(dot + 1), String.valueOf(v));
            }
        });
        fallbacks.forEach((tool, kinds) -> {
            if (kinds.size() != 1) {
                throw new ConfigException(at + "fallback." + tool + " has " + String.join(" and ", kinds.keySet())
                        + " (expected: exactly one of text, error and upstream)");
            }
            Map.Entry<String, String> e = kinds.entrySet().iterator().next();
            switch (e.getKey()) {
                case "text":
                    b.fallback(tool, ResilienceSpec.Fallback.text(e.getValue()));
                    break;
                case "error":
                    b.fallback(tool, ResilienceSpec.Fallback.error(e.getValue()));
                    break;
                default:
                    int slash = e.getValue().indexOf('/');
                    b.fallback(tool, slash < 0 ? ResilienceSpec.Fallback.upstream(e.getValue(), null)
                            : ResilienceSpec.Fallback.upstream(e.getValue().substring(0, slash), e.getValue().substring(slash + 1)));
                    break;
            }
        });
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static <T> T get(Map<String, Object> keys, String key, T def) {
        Object v = keys.get(key);
        return v == null ? def : (T) v;
    }
}
