package io.peregrine.policy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured line per security-relevant event, on the logger {@code peregrine.audit} so
 * that operators can route it apart from the server's own log: authentication failures,
 * authorization refusals and rate-limit refusals always (at WARN), and, when enabled, every
 * tool call with its principal, outcome and duration (at INFO). Each line is one JSON object:
 *
 * <pre>{"event":"tool_call","principal":"alice","tool":"echo","outcome":"ok","durationUs":41}</pre>
 */
public final class AuditLog {

    /** The logger's name. */
    public static final String LOGGER = "peregrine.audit";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final boolean toolCalls;

    /** @param toolCalls also log every tool call, not only refusals */
    public AuditLog(boolean toolCalls) {
        this.toolCalls = toolCalls;
    }

    /** Whether {@link #toolCall} writes anything; callers skip measuring when not. */
    public boolean logsToolCalls() {
        return toolCalls && log.isInfoEnabled();
    }

    /** Credentials were missing or invalid. */
    public void authenticationFailed(String transport, Object remote, String scheme, Refusal r) {
        if (log.isWarnEnabled()) {
            log.warn(new Line("auth_failure").field("transport", transport).field("remote", String.valueOf(remote))
                    .field("scheme", scheme).field("reason", r.getMessage()).end());
        }
    }

    /** {@code principal} may not use {@code name} of {@code kind} (tool, resource, prompt). */
    public void forbidden(Principal principal, String transport, String kind, String name, String scope) {
        if (log.isWarnEnabled()) {
            log.warn(new Line("forbidden").field("principal", principal.name()).field("transport", transport)
                    .field(kind, name).field("scope", scope).end());
        }
    }

    /** A rate limit refused {@code principal}'s request. */
    public void rateLimited(Principal principal, String transport, String tool, Refusal r) {
        if (log.isWarnEnabled()) {
            log.warn(new Line("rate_limited").field("principal", principal == null ? null : principal.name())
                    .field("transport", transport).field("tool", tool).field("limit", r.limit())
                    .number("retryAfterMs", r.retryAfterMillis()).end());
        }
    }

    /** A tool call ended; {@code outcome} is ok, error (an error result or a JSON-RPC error), cancelled, overloaded or shutdown. */
    public void toolCall(Principal principal, String transport, String tool, String outcome, long durationNanos) {
        if (logsToolCalls()) {
            log.info(new Line("tool_call").field("principal", principal == null ? null : principal.name())
                    .field("transport", transport).field("tool", tool).field("outcome", outcome)
                    .number("durationUs", durationNanos / 1000).end());
        }
    }

    /** A JSON object on one line; values are escaped so that no input can forge a field or a line. */
    private static final class Line {
        private final StringBuilder sb = new StringBuilder(128);

        Line(String event) {
            sb.append("{\"event\":\"").append(event).append('"');
        }

        Line field(String name, String value) {
            if (value != null) {
                sb.append(",\"").append(name).append("\":\"");
                escape(value);
                sb.append('"');
            }
            return this;
        }

        Line number(String name, long value) {
            sb.append(",\"").append(name).append("\":").append(value);
            return this;
        }

        String end() {
            return sb.append('}').toString();
        }

        private void escape(String s) {
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
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                }
            }
        }
    }
}
