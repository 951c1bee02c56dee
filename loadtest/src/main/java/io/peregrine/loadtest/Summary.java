package io.peregrine.loadtest;

import io.netty.channel.epoll.Epoll;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A run's result as one line for people and as a flat JSON object for scripts. */
final class Summary {

    private Summary() {
    }

    /** E.g. {@code raw tcp 2025-11-25, 16 connections × depth 16, 100 B: 272,678 req/s; latency µs p50 475 ...}. */
    static String line(String target, LoadResult r) {
        LoadSettings s = r.settings();
        ErrorCounts e = r.errors();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s %s %s, %d connection%s%s, %d B: %,.0f req/s; latency µs p50 %,d p90 %,d"
                        + " p99 %,d p99.9 %,d max %,d; %,d errors in %.1f s",
                target, s.transport(), s.era(), s.connections(), s.connections() == 1 ? "" : "s", loop(s),
                s.payloadBytes(), r.throughput(), r.percentileMicros(50), r.percentileMicros(90), r.percentileMicros(99),
                r.percentileMicros(99.9), r.maxMicros(), e.total(), r.seconds()));
        if (e.total() > 0) {
            b.append(String.format(Locale.ROOT, " (%,d error responses, %,d wrong ids, %,d malformed, %,d lost)",
                    e.errorResponses(), e.mismatches(), e.malformed(), e.lost()));
        }
        if (e.outsideWindow() > 0) {
            b.append(String.format(Locale.ROOT, "; %,d more outside the measured window", e.outsideWindow()));
        }
        return b.toString();
    }

    /** {@code  × depth 16} or {@code , open loop at 100,000 req/s}. */
    static String loop(LoadSettings s) {
        return s.openLoop() ? String.format(Locale.ROOT, ", open loop at %,.0f req/s", s.rate()) : " × depth " + s.depth();
    }

    /** Every setting and figure of the run, latencies in microseconds. */
    static Map<String, Object> json(String target, LoadResult r) {
        LoadSettings s = r.settings();
        ErrorCounts e = r.errors();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target);
        m.put("transport", s.transport().toString());
        m.put("era", s.era().version());
        m.put("loop", s.openLoop() ? "open" : "closed");
        m.put("connections", s.connections());
        m.put("depth", s.openLoop() ? null : s.depth());
        m.put("rate", s.openLoop() ? s.rate() : null);
        m.put("payloadBytes", s.payloadBytes());
        m.put("tool", s.tool());
        m.put("warmupSeconds", s.warmup().toMillis() / 1000.0);
        m.put("durationSeconds", s.duration().toMillis() / 1000.0);
        m.put("maxRequests", s.maxRequests() == Long.MAX_VALUE ? null : s.maxRequests());
        m.put("seconds", round(r.seconds(), 3));
        m.put("requests", r.requests());
        m.put("throughputPerSecond", round(r.throughput(), 1));
        m.put("p50Micros", r.percentileMicros(50));
        m.put("p90Micros", r.percentileMicros(90));
        m.put("p99Micros", r.percentileMicros(99));
        m.put("p999Micros", r.percentileMicros(99.9));
        m.put("maxMicros", r.maxMicros());
        m.put("meanMicros", round(r.latencyMicros().getMean(), 1));
        m.put("errors", e.total());
        m.put("errorResponses", e.errorResponses());
        m.put("mismatches", e.mismatches());
        m.put("malformed", e.malformed());
        m.put("lost", e.lost());
        m.put("errorsOutsideWindow", e.outsideWindow());
        m.put("jvm", Runtime.version().toString());
        m.put("vm", System.getProperty("java.vm.name"));
        m.put("io", Epoll.isAvailable() ? "epoll" : "nio");
        m.put("cores", Runtime.getRuntime().availableProcessors());
        return m;
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
