package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RpcException;
import io.peregrine.tool.ClientRequest;
import io.peregrine.tool.InputRequiredException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The questions and answers of one run of a 2026-07-28 request served through multi-round-trip
 * requests ({@code tools/call} here; {@code prompts/get} and {@code resources/read} may use it
 * the same way).
 *
 * <p>The handler is replayed: every retry runs it from the start, and each question it asks is
 * looked up by its key among the answers, first this round's {@code inputResponses}, then those of
 * earlier rounds carried in the signed {@code requestState}. A question without an answer is
 * recorded and ends the run; the request is then answered with {@code input_required}, listing
 * every unanswered question of the run and a new state carrying the answers this run used. Answers
 * the run did not ask for are ignored and not carried on, as are answers that do not fit their
 * question (which is then asked again).
 *
 * <p>Used by one handler thread at a time; nothing here is shared.
 */
final class InputRequests {

    private final String method;
    private final String name;
    private final String argumentsDigest;
    private final String protocolVersion;
    private final String principal;
    private final Map<String, Object> earlier;
    private final Map<String, Object> responses;
    private final Map<String, Object> used = new LinkedHashMap<>();
    private final Map<String, ClientRequest> missing = new LinkedHashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();

    private InputRequests(String method, String name, String argumentsDigest, String protocolVersion, String principal,
                          Map<String, Object> earlier, Map<String, Object> responses) {
        this.principal = principal;
        this.method = method;
        this.name = name;
        this.argumentsDigest = argumentsDigest;
        this.protocolVersion = protocolVersion;
        this.earlier = earlier;
        this.responses = responses;
    }

    /** Whether a request brings answers or state, so that {@link #open} must run before the handler does. */
    static boolean carriesInput(Params p) {
        return p.has("inputResponses") || p.has("requestState");
    }

    /**
     * Reads and verifies the answers a request brings.
     *
     * @param arguments the request's arguments, to which its state is bound; may be null
     * @throws RpcException -32602 for a state that fails verification or an {@code inputResponses}
     *                      that is not an object of objects
     */
    @SuppressWarnings("unchecked")
    static InputRequests open(Json json, RequestState states, Params p, String method, String name, ByteBuf arguments,
                              String protocolVersion, String principal) throws RpcException {
        String digest = RequestState.digest(arguments);
        String state = p.string(method, "requestState");
        Map<String, Object> earlier = state == null ? Map.of() : states.open(state, method, name, digest, principal);
        Map<String, Object> responses = Map.of();
        if (p.has("inputResponses")) {
            ByteBuf raw = p.object(method, "inputResponses");
            if (raw == null) {
                throw new RpcException(JsonRpcError.INVALID_PARAMS,
                        "Invalid params for " + method + ": \"inputResponses\" must be an object");
            }
            try (JsonParser parser = json.parser(raw)) {
                responses = (Map<String, Object>) JsonTree.read(parser);
            } catch (IOException e) {
                throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid inputResponses: " + e.getMessage());
            }
            for (Map.Entry<String, Object> e : responses.entrySet()) {
                if (!(e.getValue() instanceof Map)) {
                    throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid inputResponses: the response for \""
                            + e.getKey() + "\" must be an object (an ElicitResult, CreateMessageResult or ListRootsResult)");
                }
            }
        }
        return new InputRequests(method, name, digest, protocolVersion, principal, earlier, responses);
    }

    /** For a request that brought nothing: every question is unanswered. */
    static InputRequests none(String method, String name, ByteBuf arguments, String protocolVersion, String principal) {
        return new InputRequests(method, name, RequestState.digest(arguments), protocolVersion, principal, Map.of(),
                Map.of());
    }

    /**
     * The answers to {@code requests}, converted by {@link ClientAnswers}; records those missing
     * and throws once all are looked at, so that one round asks every question of the batch.
     */
    List<Object> answer(ClientRequest[] requests) {
        List<Object> answers = new ArrayList<>(requests.length);
        boolean incomplete = false;
        for (ClientRequest r : requests) {
            String key = keyOf(r);
            Object tree = responses.containsKey(key) ? responses.get(key) : earlier.get(key);
            Object answer = null;
            if (tree != null) {
                try {
                    answer = ClientAnswers.convert(r, tree);
                } catch (IllegalArgumentException e) {
                    answer = null; // does not fit the question: ask again
                }
            }
            if (answer == null) {
                missing.put(key, r);
                incomplete = true;
            } else {
                used.put(key, tree);
            }
            answers.add(answer);
        }
        if (incomplete || !missing.isEmpty()) {
            throw new InputRequiredException("the client has not answered " + missing.keySet() + " yet");
        }
        return answers;
    }

    private String keyOf(ClientRequest r) {
        if (r.key() != null) {
            return r.key();
        }
        String prefix = ClientRequest.keyPrefixOf(r);
        int n = counters.merge(prefix, 1, Integer::sum);
        return prefix + "-" + n;
    }

    /** Whether the run asked something the client has not answered: the request ends with input_required. */
    boolean hasMissing() {
        return !missing.isEmpty();
    }

    /** Writes {@code inputRequests} and {@code requestState} into the result object the generator is in. */
    void writeFields(JsonGenerator g, RequestState states) throws IOException {
        g.writeObjectFieldStart("inputRequests");
        for (Map.Entry<String, ClientRequest> e : missing.entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            g.writeStringField("method", e.getValue().method());
            g.writeFieldName("params");
            JsonTree.write(g, e.getValue().params(protocolVersion));
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeStringField("requestState", states.seal(method, name, argumentsDigest, principal, used));
    }
}
