package io.peregrine.mcp;

import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.ClientQuestions;
import io.peregrine.tool.ClientRequest;
import io.peregrine.tool.ClientRequestException;
import io.peregrine.tool.MissingClientCapabilityException;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link ClientQuestions} for a request other than {@code tools/call} ({@code prompts/get}): the
 * same two paths a tool call takes, a request to the client in the 2025 era and an
 * {@code input_required} round in 2026-07-28. Everything it needs from the request is read when
 * it is made, since the request's bytes are gone by the time a blocking handler runs.
 */
final class RequestQuestions implements ClientQuestions {

    private final McpServer server;
    private final Connection connection;
    private final Reply reply;
    private final ProtocolVersion version;
    private final Map<String, Object> capabilities;
    private final InputRequests inputs;
    private final String asker;

    /** @param inputs the request's answers and state (2026-07-28), or null in the 2025 era */
    RequestQuestions(McpServer server, Connection connection, Reply reply, RequestScope scope, InputRequests inputs,
                     String asker) {
        this.server = server;
        this.connection = connection;
        this.reply = reply;
        this.version = scope.version();
        this.capabilities = scope.clientCapabilities();
        this.inputs = inputs;
        this.asker = asker;
    }

    /** The questions the handler asked that the client has not answered: the request ends input_required. */
    InputRequests pendingInputs() {
        return inputs != null && inputs.hasMissing() ? inputs : null;
    }

    @Override
    public boolean clientSupports(ClientFeature feature) {
        return feature.isDeclaredIn(capabilities);
    }

    @Override
    public List<Object> ask(ClientRequest... requests) throws ClientRequestException, InterruptedException {
        checkDeclared(capabilities, requests, asker);
        if (requests.length == 0) {
            return List.of();
        }
        if (inputs != null) {
            synchronized (inputs) { // a gateway's relay may ask from several threads at once
                return inputs.answer(requests);
            }
        }
        return server.asking().askClient(connection, reply, version, asker, null, requests);
    }

    /** Refuses, before anything is sent, a question the client did not declare it can answer. */
    static void checkDeclared(Map<String, Object> capabilities, ClientRequest[] requests, String asker)
            throws MissingClientCapabilityException {
        Objects.requireNonNull(requests, "requests");
        for (ClientRequest r : requests) {
            Objects.requireNonNull(r, "requests[i]");
            ClientFeature needed = r.requiredFeature();
            if (!needed.isDeclaredIn(capabilities)) {
                throw new MissingClientCapabilityException(needed, asker + " needs the client capability " + needed
                        + " for " + r.method() + ", which the client did not declare");
            }
        }
    }
}
