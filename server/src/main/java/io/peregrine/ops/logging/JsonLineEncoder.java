package io.peregrine.ops.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import org.slf4j.event.KeyValuePair;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * One JSON object per log event, one event per line, for log pipelines:
 *
 * <pre>{"timestamp":"2026-12-04T17:30:01.123Z","level":"INFO","logger":"io.peregrine.Peregrine",
 * "thread":"main","message":"...","trace_id":"4bf9...","span_id":"00f0...","tool":"echo"}</pre>
 *
 * <p>{@code trace_id} and {@code span_id} come from the MDC, where tracing puts them while a request's
 * span is current; every other MDC entry and every SLF4J key-value pair becomes a field of its own
 * (numbers and booleans as JSON values); an exception becomes {@code stack_trace}. A message that is
 * itself a JSON object (the {@code peregrine.audit} lines) is merged in: its fields join the line's.
 *
 * <p>Written by hand into a StringBuilder: no reflection, no object mapper, and escaping that keeps
 * any input from forging a field or a line.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final byte[] NOTHING = new byte[0];
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Loggers whose messages are JSON objects written by Peregrine, merged into the line. */
    private final List<String> jsonMessageLoggers;

    /** @param jsonMessageLoggers loggers whose messages are JSON objects to merge (e.g. {@code peregrine.audit}) */
    public JsonLineEncoder(List<String> jsonMessageLoggers) {
        this.jsonMessageLoggers = List.copyOf(jsonMessageLoggers);
    }

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return line(event).getBytes(StandardCharsets.UTF_8);
    }

    /** The event as one line of JSON, newline included. */
    String line(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"timestamp\":\"");
        TIMESTAMP.formatTo(Instant.ofEpochMilli(event.getTimeStamp()), sb);
        sb.append("\",\"level\":\"").append(event.getLevel().toString()).append('"');
        field(sb, "logger", event.getLoggerName());
        field(sb, "thread", event.getThreadName());
        String message = event.getFormattedMessage();
        boolean merged = message != null && jsonMessageLoggers.contains(event.getLoggerName())
                && message.length() > 2 && message.charAt(0) == '{' && message.charAt(message.length() - 1) == '}';
        if (!merged) {
            field(sb, "message", message);
        }
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null && !mdc.isEmpty()) {
            for (Map.Entry<String, String> e : mdc.entrySet()) {
                field(sb, e.getKey(), e.getValue());
            }
        }
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair kv : pairs) {
                value(sb, kv.key, kv.value);
            }
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            field(sb, "stack_trace", ThrowableProxyUtil.asString(thrown));
        }
        if (merged) {
            // The message is an object Peregrine wrote with escaped values: its fields join the line's.
            sb.append(',').append(message, 1, message.length());
        } else {
            sb.append('}');
        }
        return sb.append('\n').toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        if (value == null) {
            return;
        }
        sb.append(",\"");
        escape(sb, name);
        sb.append("\":\"");
        escape(sb, value);
        sb.append('"');
    }

    private static void value(StringBuilder sb, String name, Object value) {
        if (value instanceof Number && isFinite((Number) value) || value instanceof Boolean) {
            sb.append(",\"");
            escape(sb, name);
            sb.append("\":").append(value);
        } else {
            field(sb, name, String.valueOf(value));
        }
    }

    private static boolean isFinite(Number n) {
        return !(n instanceof Double && !Double.isFinite((Double) n) || n instanceof Float && !Float.isFinite((Float) n));
    }

    /** JSON string escaping; also U+2028 and U+2029, which break JavaScript readers of the line. */
    static void escape(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        sb.append(c);
                    }
            }
        }
    }
}
