package io.peregrine.tool;

import java.util.ArrayList;
import java.util.List;

/**
 * The severity of a log message sent to the client ({@code notifications/message}), in
 * increasing order, as RFC 5424 and MCP define them. A client asks for a level and receives
 * messages of that severity and above.
 */
public enum LogLevel {
    DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY;

    private static final LogLevel[] ALL = values();
    private static final List<String> NAMES;

    static {
        List<String> names = new ArrayList<>();
        for (LogLevel l : ALL) {
            names.add(l.wireName());
        }
        NAMES = List.copyOf(names);
    }

    private final String wire = name().toLowerCase(java.util.Locale.ROOT);

    /** The level as MCP writes it: {@code debug}, {@code info}, ... */
    public String wireName() {
        return wire;
    }

    /** Whether a message of this level reaches a client that asked for {@code threshold}. */
    public boolean reaches(LogLevel threshold) {
        return threshold != null && compareTo(threshold) >= 0;
    }

    /** The level written {@code name} on the wire, or null. */
    public static LogLevel find(String name) {
        if (name == null) {
            return null;
        }
        for (LogLevel l : ALL) {
            if (l.wire.equals(name)) {
                return l;
            }
        }
        return null;
    }

    /** Every level's wire name, lowest first. */
    public static List<String> wireNames() {
        return NAMES;
    }
}
