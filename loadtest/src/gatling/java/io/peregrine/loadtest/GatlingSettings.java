package io.peregrine.loadtest;

import java.time.Duration;

/**
 * What a Gatling simulation of {@code loadtest/} runs, from system properties (set them with
 * {@code -D...} on the Maven command line; {@code loadtest/run gatling} passes them on):
 *
 * <ul>
 *   <li>{@code target}: {@code peregrine} (default) or {@code raw}, started in the simulation's
 *   JVM on 127.0.0.1, or a loopback {@code HOST:PORT} already listening;</li>
 *   <li>{@code era}: {@code 2025-11-25} (default) or {@code 2026-07-28};</li>
 *   <li>{@code model}: {@code closed} (default: {@code users} virtual users at all times) or
 *   {@code open} ({@code rate} new users per second);</li>
 *   <li>{@code users} (16), {@code rate} (20), {@code calls} per user (200), {@code duration}
 *   of the injection in seconds (10), {@code payload} bytes of each message (100).</li>
 * </ul>
 *
 * <p>A run is bounded: the injection lasts {@code duration}, each user makes at most
 * {@code calls} calls, and {@code maxDuration} ends the simulation at {@code duration} + 30 s.
 */
final class GatlingSettings {

    final String target = System.getProperty("target", "peregrine");
    final Era era = Era.of(System.getProperty("era", Era.V2025_11_25.version()));
    final boolean open = System.getProperty("model", "closed").equals("open");
    final int users = Integer.getInteger("users", 16);
    final double rate = Double.parseDouble(System.getProperty("rate", "20"));
    final int calls = Integer.getInteger("calls", 200);
    final Duration duration = Duration.ofSeconds(Integer.getInteger("duration", 10));
    final int payload = Integer.getInteger("payload", 100);
    final String message = "x".repeat(payload);

    GatlingSettings() {
        String model = System.getProperty("model", "closed");
        if (!model.equals("closed") && !model.equals("open")) {
            throw new IllegalArgumentException("model : " + model + " (expected: closed or open)");
        }
        if (users <= 0 || rate <= 0 || calls <= 0 || duration.isZero() || duration.isNegative() || payload < 0) {
            throw new IllegalArgumentException("users, rate, calls, duration, payload : " + users + ", " + rate + ", "
                    + calls + ", " + duration + ", " + payload + " (expected: all > 0, payload >= 0)");
        }
    }

    /** The JSON text of {@code initialize}, id 0. */
    String initialize() {
        return "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + era.version()
                + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"peregrine-gatling\",\"version\":\"1\"}}}";
    }

    static String initialized() {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    }

    /** The JSON text of a {@code tools/call} of {@code echo} with this id, with the era's {@code _meta}. */
    String toolsCall(long id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":\"" + message + "\"}" + era.requestMeta("") + "}}";
    }

    /** What every echo answer contains: the message, as the one text content. */
    String expectedText() {
        return "\"text\":\"" + message + "\"";
    }

    @Override
    public String toString() {
        return target + ", era " + era + ", " + (open ? "open model, " + rate + " users/s" : "closed model, " + users
                + " users") + ", " + calls + " calls per user, " + duration.toSeconds() + " s, " + payload + " B";
    }
}
