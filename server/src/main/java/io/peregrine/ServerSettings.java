package io.peregrine;

import io.peregrine.config.ConfigKey;
import io.peregrine.mcp.ClientRequestSettings;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ServerClock;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.transport.HealthReport;
import io.peregrine.rpc.Json;
import io.peregrine.transport.http.StreamableHttpSettings;
import io.peregrine.transport.ws.WebSocketSettings;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The settings a server runs with: a value for every {@link ConfigKey.Scope#SERVER server key},
 * taken from its builder when {@link Peregrine.Builder#build()} ran and never changed after. Each
 * value was checked against its key's bounds when it was set, and the settings of each layer
 * ({@code McpServer.Settings}, {@code StreamableHttpSettings}, ...) are made from these values when
 * the server is built, so a server that was built has settings its layers accept.
 */
public final class ServerSettings {

    private final Map<ConfigKey<?>, Object> values;
    private final byte[] requestStateKey;

    /**
     * @param set             the values set on the builder (the rest take their key's builder default)
     * @param requestStateKey the key signing request states, or null for a random one per process
     */
    ServerSettings(Map<ConfigKey<?>, Object> set, byte[] requestStateKey) {
        Map<ConfigKey<?>, Object> all = new LinkedHashMap<>();
        for (ConfigKey<?> key : ConfigKey.all().values()) {
            if (key.scope() == ConfigKey.Scope.SERVER) {
                all.put(key, set.containsKey(key) ? set.get(key) : key.builderDefault());
            }
        }
        this.values = Collections.unmodifiableMap(all);
        this.requestStateKey = requestStateKey == null ? null : requestStateKey.clone();
    }

    /**
     * The value of {@code key}.
     *
     * @throws IllegalArgumentException when {@code key} is not a server key (policy and launcher keys
     *                                  are not settings of the server)
     */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        Object value = values.get(Objects.requireNonNull(key, "key"));
        if (value == null) {
            throw new IllegalArgumentException(key + " : not a setting of the server (expected: a key of scope SERVER)");
        }
        return (T) value;
    }

    /** Every server key with its value, in documentation order. */
    public Map<ConfigKey<?>, Object> values() {
        return values;
    }

    /** The origins browsers may connect from, as {@code http.allowed-origins} lists them. */
    public List<String> allowedOrigins() {
        return Arrays.stream(get(ConfigKey.HTTP_ALLOWED_ORIGINS).split(",")).map(String::trim)
                .filter(o -> !o.isEmpty()).collect(Collectors.toUnmodifiableList());
    }

    /** Whether request states are signed with a key that was set (false: a random key per process). */
    public boolean hasRequestStateKey() {
        return requestStateKey != null;
    }

    Duration drainTimeout() {
        return get(ConfigKey.SHUTDOWN_DRAIN_TIMEOUT);
    }

    Duration readyDelay() {
        return get(ConfigKey.SHUTDOWN_READY_DELAY);
    }

    int maxMessageBytes() {
        return Math.toIntExact(get(ConfigKey.TCP_MAX_LINE_LENGTH));
    }

    ServerInfo serverInfo() {
        return new ServerInfo(get(ConfigKey.SERVER_NAME), get(ConfigKey.SERVER_VERSION), get(ConfigKey.SERVER_INSTRUCTIONS));
    }

    Json json() {
        return new Json(get(ConfigKey.JSON_MAX_NESTING_DEPTH), Math.toIntExact(get(ConfigKey.JSON_MAX_STRING_LENGTH)));
    }

    McpServer.Settings core() {
        return new McpServer.Settings(get(ConfigKey.CONNECTION_MAX_IN_FLIGHT), get(ConfigKey.TOOLS_PAGE_SIZE),
                get(ConfigKey.TOOLS_DEFAULT_TIMEOUT).toMillis(), get(ConfigKey.TOOLS_VALIDATE_ARGUMENTS));
    }

    ClientRequestSettings clientRequests(ServerClock clock) {
        return new ClientRequestSettings(get(ConfigKey.CLIENT_REQUESTS_TIMEOUT).toMillis(), requestStateKey,
                get(ConfigKey.CLIENT_REQUESTS_STATE_TTL).toMillis(), get(ConfigKey.TASKS_TTL).toMillis(),
                get(ConfigKey.TASKS_MAX), clock);
    }

    StreamableHttpSettings streamableHttp() {
        return new StreamableHttpSettings(get(ConfigKey.WS_PATH), Math.toIntExact(get(ConfigKey.HTTP_MAX_BODY_SIZE)),
                get(ConfigKey.HTTP_REQUEST_READ_TIMEOUT).toMillis(), get(ConfigKey.HTTP_KEEP_ALIVE_TIMEOUT).toMillis(),
                get(ConfigKey.HTTP_SSE_KEEP_ALIVE).toMillis(), get(ConfigKey.HTTP_MAX_SESSIONS),
                get(ConfigKey.HTTP_SESSION_IDLE_TIMEOUT).toMillis(), get(ConfigKey.HTTP_REPLAY_EVENTS),
                get(ConfigKey.HTTP_SESSIONS), get(ConfigKey.HTTP_H2C))
                .withSessionKey(get(ConfigKey.GATEWAY_SESSION_KEY), get(ConfigKey.GATEWAY_SESSION_MAX_AGE).toMillis());
    }

    WebSocketSettings webSocket(HealthReport health) {
        return new WebSocketSettings(get(ConfigKey.WS_PATH), Math.toIntExact(get(ConfigKey.WS_MAX_FRAME_SIZE)),
                maxMessageBytes(), get(ConfigKey.WS_IDLE_TIMEOUT).toMillis(), get(ConfigKey.WS_PING_INTERVAL).toMillis(),
                get(ConfigKey.WS_COMPRESSION), health, allowedOrigins());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerSettings && ((ServerSettings) o).values.equals(values)
                && Arrays.equals(((ServerSettings) o).requestStateKey, requestStateKey);
    }

    @Override
    public int hashCode() {
        return values.hashCode() * 31 + Arrays.hashCode(requestStateKey);
    }

    /** Every key with its value, as a configuration file would write it; the request-state and session keys are not shown. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((key, value) -> {
            sb.append(sb.length() > 1 ? ", " : "").append(key.name()).append('=');
            if (key == ConfigKey.CLIENT_REQUESTS_STATE_KEY) {
                sb.append(hasRequestStateKey() ? "(set)" : "");
            } else if (key == ConfigKey.GATEWAY_SESSION_KEY) {
                sb.append(((String) value).isEmpty() ? "" : "(set)");
            } else {
                sb.append(format(key, value));
            }
        });
        return sb.append('}').toString();
    }

    @SuppressWarnings("unchecked")
    private static <T> String format(ConfigKey<T> key, Object value) {
        return key.format((T) value);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
