package io.peregrine.mcp;

import io.peregrine.tool.ClientRequest;
import io.peregrine.tool.ElicitResult;
import io.peregrine.tool.Elicitation;
import io.peregrine.tool.RootsRequest;
import io.peregrine.tool.Root;
import io.peregrine.tool.SamplingRequest;
import io.peregrine.tool.SamplingResult;

/** Turns a client's answer, as a JSON tree, into what the question's tool API returns. */
final class ClientAnswers {

    private ClientAnswers() {
    }

    /**
     * An {@link ElicitResult}, a {@link SamplingResult} or a {@code List<Root>}.
     *
     * @throws IllegalArgumentException when the answer does not fit the question
     */
    static Object convert(ClientRequest request, Object tree) {
        if (request instanceof Elicitation) {
            return ElicitResult.fromTree(tree);
        }
        if (request instanceof SamplingRequest) {
            return SamplingResult.fromTree(tree);
        }
        if (request instanceof RootsRequest) {
            return Root.listFromTree(tree);
        }
        if (request instanceof io.peregrine.tool.RelayedRequest) {
            return io.peregrine.tool.RelayedRequest.answerOf(tree);
        }
        throw new IllegalArgumentException("unknown kind of client request: " + request.getClass().getName());
    }
}
