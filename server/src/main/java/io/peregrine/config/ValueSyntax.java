package io.peregrine.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How sizes and durations are written in a configuration: {@code 64KiB}, {@code 4MiB}, {@code 250ms},
 * {@code 30s}, {@code 2m}, {@code 1h}. Parsing and formatting live together so that what the
 * reference, the error messages and the shipped file show is what the loader reads back.
 */
final class ValueSyntax {

    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;
    static final long GIB = 1024 * MIB;

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");

    private ValueSyntax() {
    }

    /** Bytes from {@code 65536}, {@code 64KiB}, {@code 2MB}; -1 when {@code text} is no size. */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        long n = parseLong(m.group(1));
        long factor = sizeFactor(m.group(2) == null ? "B" : m.group(2));
        if (n < 0 || n > Long.MAX_VALUE / factor) {
            return -1;
        }
        return n * factor;
    }

    private static long sizeFactor(String unit) {
        switch (unit) {
            case "KiB": return KIB;
            case "MiB": return MIB;
            case "GiB": return GIB;
            case "KB": return 1000;
            case "MB": return 1000_000;
            case "GB": return 1000_000_000;
            default: return 1;
        }
    }

    /** A duration from {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a bare number of milliseconds; null when {@code text} is none. */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = parseLong(m.group(1));
        if (n < 0) {
            return null;
        }
        String unit = m.group(2) == null ? "ms" : m.group(2);
        try {
            switch (unit) {
                case "s": return Duration.ofSeconds(n);
                case "m": return Duration.ofMinutes(n);
                case "h": return Duration.ofHours(n);
                default: return Duration.ofMillis(n);
            }
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static long parseLong(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code 4194304} as {@code 4MiB}: the largest binary unit that divides it exactly. */
    static String formatSize(long bytes) {
        if (bytes != 0 && bytes % GIB == 0) {
            return bytes / GIB + "GiB";
        }
        if (bytes != 0 && bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes != 0 && bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        return bytes + "B";
    }

    /** A duration as the largest unit that holds it exactly: {@code 30s}, {@code 5m}, {@code 1500ms}, {@code -5s}. */
    static String formatDuration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        long millis;
        try {
            millis = d.toMillis();
        } catch (ArithmeticException e) {
            return d.toString();
        }
        if (!Duration.ofMillis(millis).equals(d)) {
            return d.toString(); // finer than a millisecond: no unit of ours says it
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
