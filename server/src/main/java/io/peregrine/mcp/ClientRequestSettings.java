package io.peregrine.mcp;

import io.peregrine.config.ConfigKey;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Tunables of asking the client (sampling, elicitation, roots) and of tasks: how long a 2025-era
 * request to the client may wait for its answer, the key and lifetime of 2026-07-28 request
 * states, and how long and how many task results are kept.
 */
public final class ClientRequestSettings {

    final long timeoutMillis;
    final byte[] stateKey;
    final long stateTtlMillis;
    final long taskTtlMillis;
    final int maxTasks;

    /**
     * @param timeoutMillis  how long a request to the client waits for its answer
     * @param stateKey       the HMAC-SHA256 key that signs request states (at least 16 bytes), or null
     *                       for a random key per process; replicas behind one load balancer must share one
     * @param stateTtlMillis how long a request state stays valid after it is issued
     * @param taskTtlMillis  how long a task and its result are kept after it was created
     * @param maxTasks       the most tasks kept at once; beyond it the oldest are forgotten
     */
    public ClientRequestSettings(long timeoutMillis, byte[] stateKey, long stateTtlMillis, long taskTtlMillis,
                                 int maxTasks) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis : " + timeoutMillis + " (expected: > 0)");
        }
        if (stateKey != null && stateKey.length < 16) {
            throw new IllegalArgumentException("stateKey : " + stateKey.length + " bytes (expected: >= 16)");
        }
        if (stateTtlMillis <= 0) {
            throw new IllegalArgumentException("stateTtlMillis : " + stateTtlMillis + " (expected: > 0)");
        }
        if (taskTtlMillis <= 0) {
            throw new IllegalArgumentException("taskTtlMillis : " + taskTtlMillis + " (expected: > 0)");
        }
        if (maxTasks <= 0) {
            throw new IllegalArgumentException("maxTasks : " + maxTasks + " (expected: > 0)");
        }
        this.timeoutMillis = timeoutMillis;
        if (stateKey == null) {
            stateKey = new byte[32];
            new SecureRandom().nextBytes(stateKey);
        }
        this.stateKey = Arrays.copyOf(stateKey, stateKey.length);
        this.stateTtlMillis = stateTtlMillis;
        this.taskTtlMillis = taskTtlMillis;
        this.maxTasks = maxTasks;
    }

    /**
     * The defaults of {@code client-requests.timeout}, {@code client-requests.state-ttl},
     * {@code tasks.ttl} and {@code tasks.max}, with a random state key.
     */
    public static ClientRequestSettings defaults() {
        return new ClientRequestSettings(ConfigKey.CLIENT_REQUESTS_TIMEOUT.builderDefault().toMillis(), null,
                ConfigKey.CLIENT_REQUESTS_STATE_TTL.builderDefault().toMillis(),
                ConfigKey.TASKS_TTL.builderDefault().toMillis(), ConfigKey.TASKS_MAX.builderDefault());
    }
}
