package io.peregrine.ops.logging;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import io.peregrine.policy.AuditLog;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Configures Logback from {@link LogSettings} when the standalone server starts, in code: no XML is
 * read at run time beyond the default {@code logback.xml} that serves until then.
 *
 * <ul>
 *   <li>Everything goes to stderr, never stdout (MCP in stdio mode), as text or JSON lines.</li>
 *   <li>{@code java.util.logging} (the OpenTelemetry SDK logs there) joins the same log.</li>
 *   <li>{@value AccessLog#LOGGER} is on only when asked for; {@value AuditLog#LOGGER} stays at
 *       info whatever the root level, and goes to its own rolling file of JSON lines when one is set.</li>
 * </ul>
 */
public final class LogSetup {

    /** The text layout; {@code trace_id=...} appears while a traced request is being served. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36}"
            + "%replace( trace_id=%X{trace_id}){' trace_id=$', ''} - %msg%n";

    private LogSetup() {
    }

    /**
     * Applies {@code settings} to the running Logback, replacing its configuration. Returns false,
     * changing nothing, when SLF4J is bound to another backend (an application that embeds
     * Peregrine and configures its own logging).
     *
     * @throws IllegalArgumentException when the audit file cannot be written
     */
    public static boolean apply(LogSettings settings) {
        return apply(settings, null);
    }

    /** {@link #apply(LogSettings)}, writing to {@code out} instead of stderr when it is not null. */
    static boolean apply(LogSettings settings, OutputStream out) {
        requireNonNull(settings, "settings");
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext)) {
            return false;
        }
        LoggerContext context = (LoggerContext) factory;
        Path auditFile = settings.auditFile();
        if (auditFile != null) {
            checkWritable(auditFile);
        }
        context.reset();
        bridgeJavaUtilLogging(context);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(settings.rootLevel()));
        root.addAppender(stderr(context, settings.format(), out));

        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger(AccessLog.LOGGER).setLevel(settings.accessLog() ? Level.INFO : Level.OFF);
        Logger audit = context.getLogger(AuditLog.LOGGER);
        audit.setLevel(Level.INFO);
        if (auditFile != null) {
            audit.setAdditive(false);
            audit.addAppender(auditFile(context, settings));
        }
        for (Map.Entry<String, String> e : settings.levels().entrySet()) {
            context.getLogger(e.getKey()).setLevel(Level.toLevel(e.getValue()));
        }
        return true;
    }

    private static OutputStreamAppender<ILoggingEvent> stderr(LoggerContext context, LogSettings.Format format,
                                                              OutputStream out) {
        OutputStreamAppender<ILoggingEvent> appender;
        if (out == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            appender = console;
        } else {
            appender = new OutputStreamAppender<>();
            appender.setOutputStream(out);
        }
        appender.setName(out == null ? "STDERR" : "OUT");
        appender.setContext(context);
        appender.setEncoder(format == LogSettings.Format.JSON ? json(context) : text(context));
        appender.start();
        return appender;
    }

    private static RollingFileAppender<ILoggingEvent> auditFile(LoggerContext context, LogSettings settings) {
        String file = settings.auditFile().toString();
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setName("AUDIT");
        appender.setContext(context);
        appender.setFile(file);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(new FileSize(settings.auditMaxFileSize()));
        policy.setMaxHistory(settings.auditMaxHistory());
        policy.setTotalSizeCap(new FileSize(settings.auditTotalSizeCap()));
        policy.start();
        appender.setRollingPolicy(policy);
        // The audit file is for machines: JSON lines whatever log.format says.
        appender.setEncoder(json(context));
        appender.start();
        if (!appender.isStarted()) {
            throw new IllegalArgumentException("log.audit-file : \"" + file + "\" cannot be opened for appending");
        }
        return appender;
    }

    private static Encoder<ILoggingEvent> text(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(TEXT_PATTERN);
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonLineEncoder encoder = new JsonLineEncoder(List.of(AuditLog.LOGGER, AccessLog.LOGGER));
        encoder.setContext(context);
        encoder.start();
        return encoder;
    }

    /** Routes java.util.logging here; the propagator keeps JUL's levels in step so that filtered records cost nothing. */
    private static void bridgeJavaUtilLogging(LoggerContext context) {
        LevelChangePropagator propagator = new LevelChangePropagator();
        propagator.setContext(context);
        propagator.setResetJUL(true);
        propagator.start();
        context.addListener(propagator);
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    private static void checkWritable(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("log.audit-file : the directory of \"" + file
                    + "\" cannot be created (" + e.getMessage() + ")", e);
        }
        if (Files.isDirectory(file) || Files.exists(file) && !Files.isWritable(file)
                || !Files.exists(file) && !Files.isWritable(file.toAbsolutePath().getParent())) {
            throw new IllegalArgumentException("log.audit-file : \"" + file + "\" cannot be written");
        }
    }
}
