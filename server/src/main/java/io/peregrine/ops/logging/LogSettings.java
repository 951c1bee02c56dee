package io.peregrine.ops.logging;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@link LogSetup} makes of the log: its format, levels, and where the access and audit lines
 * go. Validated when built, with messages that name the configuration key.
 */
public final class LogSettings {

    /** How lines look on stderr. */
    public enum Format {
        /** {@code 2026-12-04T17:30:01.123Z INFO  [main] io.peregrine.Peregrine - message} */
        TEXT,
        /** One JSON object a line ({@link JsonLineEncoder}). */
        JSON
    }

    private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");

    private final Format format;
    private final String rootLevel;
    private final Map<String, String> levels;
    private final boolean accessLog;
    private final Path auditFile;
    private final long auditMaxFileSize;
    private final int auditMaxHistory;
    private final long auditTotalSizeCap;

    private LogSettings(Builder b) {
        this.format = b.format;
        this.rootLevel = b.rootLevel;
        this.levels = Collections.unmodifiableMap(new LinkedHashMap<>(b.levels));
        this.accessLog = b.accessLog;
        this.auditFile = b.auditFile;
        this.auditMaxFileSize = b.auditMaxFileSize;
        this.auditMaxHistory = b.auditMaxHistory;
        this.auditTotalSizeCap = b.auditTotalSizeCap;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Format format() {
        return format;
    }

    /** The root logger's level, lower case: trace, debug, info, warn, error or off. */
    public String rootLevel() {
        return rootLevel;
    }

    /** Levels of particular loggers (and the loggers below them), by logger name. */
    public Map<String, String> levels() {
        return levels;
    }

    /** Whether the HTTP listener's {@link AccessLog} lines are written. */
    public boolean accessLog() {
        return accessLog;
    }

    /** The file the {@code peregrine.audit} lines go to instead of stderr, or null. */
    public Path auditFile() {
        return auditFile;
    }

    /** The size at which the audit file rolls over to a new one. */
    public long auditMaxFileSize() {
        return auditMaxFileSize;
    }

    /** Days of rolled audit files kept. */
    public int auditMaxHistory() {
        return auditMaxHistory;
    }

    /** Bytes of rolled audit files kept at most, oldest deleted first. */
    public long auditTotalSizeCap() {
        return auditTotalSizeCap;
    }

    /** Defaults: text at info, no access log, audit lines with the rest. */
    public static final class Builder {
        private Format format = Format.TEXT;
        private String rootLevel = "info";
        private final Map<String, String> levels = new LinkedHashMap<>();
        private boolean accessLog;
        private Path auditFile;
        private long auditMaxFileSize = 100L * 1024 * 1024;
        private int auditMaxHistory = 30;
        private long auditTotalSizeCap = 1024L * 1024 * 1024;

        private Builder() {
        }

        /** {@code text} or {@code json}; default text. */
        public Builder format(String format) {
            requireNonNull(format, "format");
            switch (format.trim().toLowerCase(Locale.ROOT)) {
                case "text":
                    this.format = Format.TEXT;
                    return this;
                case "json":
                    this.format = Format.JSON;
                    return this;
                default:
                    throw new IllegalArgumentException("log.format : \"" + format + "\" (expected: text or json)");
            }
        }

        /** Default info. */
        public Builder rootLevel(String level) {
            this.rootLevel = checkedLevel("log.level", level);
            return this;
        }

        /** The level of {@code logger} and the loggers below it, e.g. {@code io.netty} = debug. */
        public Builder level(String logger, String level) {
            requireNonNull(logger, "logger");
            if (logger.isBlank()) {
                throw new IllegalArgumentException("log.levels.<logger> : empty logger name (expected: e.g. log.levels.io.netty)");
            }
            levels.put(logger, checkedLevel("log.levels." + logger, level));
            return this;
        }

        /** Default false. */
        public Builder accessLog(boolean accessLog) {
            this.accessLog = accessLog;
            return this;
        }

        /** Default none: audit lines go to stderr with the rest. */
        public Builder auditFile(Path auditFile) {
            this.auditFile = requireNonNull(auditFile, "auditFile");
            return this;
        }

        /** Default 100 MiB. */
        public Builder auditMaxFileSize(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("log.audit-max-file-size : " + bytes + " (expected: at least 1 KiB)");
            }
            this.auditMaxFileSize = bytes;
            return this;
        }

        /** Default 30 days. */
        public Builder auditMaxHistory(int days) {
            if (days < 1) {
                throw new IllegalArgumentException("log.audit-max-history : " + days + " (expected: at least 1 day)");
            }
            this.auditMaxHistory = days;
            return this;
        }

        /** Default 1 GiB. */
        public Builder auditTotalSizeCap(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("log.audit-total-size-cap : " + bytes + " (expected: at least 1 KiB)");
            }
            this.auditTotalSizeCap = bytes;
            return this;
        }

        public LogSettings build() {
            return new LogSettings(this);
        }

        private static String checkedLevel(String key, String level) {
            requireNonNull(level, "level");
            String l = level.trim().toLowerCase(Locale.ROOT);
            if (!LEVELS.contains(l)) {
                throw new IllegalArgumentException(key + " : \"" + level
                        + "\" (expected: trace, debug, info, warn, error or off)");
            }
            return l;
        }
    }
}
