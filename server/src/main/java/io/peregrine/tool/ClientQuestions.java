package io.peregrine.tool;

import java.util.List;

/**
 * Questions a running tool call (or prompt) can put to the client that made the request.
 *
 * <p>{@link #elicit}, {@link #sample}, {@link #listRoots} and {@link #ask} put a question to the
 * client and return its answer, whichever protocol era the call is in:
 * <ul>
 *   <li>2025 era: the server sends a JSON-RPC request to the client and this thread waits for the
 *       answer, for up to the client-request timeout (and never past the call's own deadline). The
 *       tool must therefore be {@code blocking(true)}: a non-blocking tool runs on an I/O thread,
 *       which must not wait, and gets an {@link IllegalStateException} instead.</li>
 *   <li>2026-07-28: the call ends with an {@code input_required} result carrying the questions (the
 *       question throws {@link InputRequiredException} to get there); the client retries the call with
 *       the answers, the handler runs again from the start, and this time the question returns the
 *       answer. Handlers must therefore ask the same questions in the same order when run again,
 *       and do nothing irreversible before their last question. Non-blocking tools may ask too.</li>
 * </ul>
 * Asking for a capability the client did not declare throws {@link MissingClientCapabilityException}
 * at once, in both eras; {@link #clientSupports} tells beforehand.
 */
public interface ClientQuestions {

    /** Whether the client declared {@code feature} in its capabilities. */
    default boolean clientSupports(ClientFeature feature) {
        return false;
    }

    /**
     * Asks the user a question through the client ({@code elicitation/create}) and returns the answer.
     *
     * @throws MissingClientCapabilityException when the client did not declare the elicitation mode
     * @throws ClientRequestException           when the client answered with an error, an answer that is not
     *                                          an ElicitResult, or not in time
     * @throws InputRequiredException           2026-07-28, when the answer is not known yet (let it propagate)
     * @throws InterruptedException             when the call is cancelled while waiting
     */
    default ElicitResult elicit(Elicitation elicitation) throws ClientRequestException, InterruptedException {
        return (ElicitResult) ask(elicitation).get(0);
    }

    /**
     * Asks the client's model for a completion ({@code sampling/createMessage}).
     *
     * @throws MissingClientCapabilityException when the client did not declare {@code sampling}
     * @see #elicit for the other failures
     */
    default SamplingResult sample(SamplingRequest request) throws ClientRequestException, InterruptedException {
        return (SamplingResult) ask(request).get(0);
    }

    /**
     * Asks the client for its roots ({@code roots/list}).
     *
     * @throws MissingClientCapabilityException when the client did not declare {@code roots}
     * @see #elicit for the other failures
     */
    @SuppressWarnings("unchecked")
    default List<Root> listRoots() throws ClientRequestException, InterruptedException {
        return (List<Root>) ask(RootsRequest.create()).get(0);
    }

    /**
     * Asks several questions at once: sent together in the 2025 era, one {@code input_required}
     * round in 2026-07-28. Each answer is, in order, an {@link ElicitResult}, a {@link SamplingResult}
     * or a {@code List<Root>}.
     *
     * @see #elicit for the failures
     */
    default List<Object> ask(ClientRequest... requests) throws ClientRequestException, InterruptedException {
        throw new UnsupportedOperationException("this context cannot ask the client anything");
    }
}
