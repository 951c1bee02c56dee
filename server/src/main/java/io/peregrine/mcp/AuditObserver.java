package io.peregrine.mcp;

import io.peregrine.policy.AuditLog;
import io.peregrine.rpc.JsonRpcError;

/**
 * Writes the audit log's line for each {@code tools/call} from the same event metrics and traces
 * see, so that the core has one place where a request ends. Installed by {@link McpServer#policy}
 * only when the audit log records tool calls. Refusals by policy are not repeated here: the policy
 * chain audits them as it refuses.
 */
final class AuditObserver implements McpObserver {

    private final AuditLog audit;

    AuditObserver(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void requestEnded(ObservedRequest request, Object state, int errorCode, boolean toolError,
                             boolean answered, long durationNanos) {
        if (!"tools/call".equals(request.method()) || !audit.logsToolCalls()) {
            return;
        }
        String outcome = outcome(errorCode, toolError, answered);
        if (outcome != null) {
            audit.toolCall(((ObservedReply) request).principal(), request.transport().label(), request.target(),
                    outcome, durationNanos);
        }
    }

    /** ok, error, cancelled, overloaded or shutdown; null for a policy refusal (audited where it was made). */
    static String outcome(int errorCode, boolean toolError, boolean answered) {
        if (!answered) {
            return "cancelled";
        }
        switch (errorCode) {
            case 0: return toolError ? "error" : "ok";
            case JsonRpcError.SERVER_OVERLOADED: return "overloaded";
            case JsonRpcError.SHUTTING_DOWN: return "shutdown";
            case JsonRpcError.UNAUTHORIZED:
            case JsonRpcError.FORBIDDEN:
            case JsonRpcError.RATE_LIMITED:
                return null;
            default: return "error";
        }
    }
}
