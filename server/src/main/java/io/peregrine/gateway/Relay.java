package io.peregrine.gateway;

import io.peregrine.client.CallHandlers;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.ConnectionListener;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RawJson;
import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.ClientQuestions;
import io.peregrine.tool.ClientRequest;
import io.peregrine.tool.ClientRequestException;
import io.peregrine.tool.InputRequiredException;
import io.peregrine.tool.LogLevel;
import io.peregrine.tool.MissingClientCapabilityException;
import io.peregrine.tool.RelayedRequest;
import io.peregrine.tool.ToolContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What an upstream asks of, and tells, the client during one forwarded {@code tools/call} (or
 * {@code prompts/get}, {@code resources/read}), relayed
 * to the gateway's client that made the call through its {@link ToolContext}:
 * {@code elicitation/create}, {@code sampling/createMessage} and {@code roots/list} are put to it
 * (as a request on its connection in the 2025 era, as an {@code input_required} round in
 * 2026-07-28) and its answer goes back to the upstream; {@code notifications/message} is passed on
 * at the levels the client asked for. Progress is relayed by the call's progress listener.
 *
 * <p>The upstream's requests reach this call through the link's {@link CallHandlers} (see there
 * for how a request is tied to its call on each transport). Those the link cannot tie to a call
 * are answered by {@link #declare}'s handlers with an error that says so.
 *
 * <p>For a 2026-07-28 client the answer is not known while the call runs: the question is recorded
 * for the call's {@code input_required} result, the upstream is answered with an error and, once
 * it has asked what it asks at once ({@link #QUIET_MILLIS}), the call ends. The client then
 * calls again with the answers, the call is forwarded anew, and this time the same questions, in
 * the same order, are answered at once.
 */
final class Relay<T> {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    /**
     * How long the gateway waits, after the upstream's call ended, for further questions of a round
     * that must wait for the client's answers.
     */
    static final long QUIET_MILLIS = 25;
    /** How long an upstream call that goes on without its answers may ask nothing before it is cancelled. */
    static final long PATIENCE_MILLIS = 1000;

    private final String upstream;
    private final String method;
    private final String target;
    private final ClientQuestions context;
    private final CompletableFuture<T> answer = new io.peregrine.exec.EndHookFuture<>();
    /** Questions that wait for a later round. */
    private final AtomicInteger deferred = new AtomicInteger();
    private volatile long lastQuestion;
    private volatile boolean forwardedEnded;
    private volatile Consumer<String> cancel;
    /** Set once a question needed a capability the client did not declare. */
    private volatile McpClientException missing;

    /**
     * @param method  the forwarded request's method, and {@code target} what it names: errors show
     *                {@code tools/call get_forecast}
     * @param context the questions of the gateway's request; log messages are relayed when it is a {@link ToolContext}
     */
    Relay(String upstream, String method, String target, ClientQuestions context) {
        this.upstream = upstream;
        this.method = method;
        this.target = target;
        this.context = context;
    }

    /**
     * What the gateway's client declared of what an upstream may ask, for the forwarded request's
     * {@code _meta} ({@link ClientFeature#META_CALLER_CAPABILITIES}): the link declares every
     * feature once for all the gateway's clients, and a Peregrine upstream narrows that to the
     * calling client's, so that a tool there that checks a capability sees the caller's.
     */
    static Map<String, Object> capabilitiesOf(ClientQuestions context) {
        return DECLARATIONS[featureMask(context)];
    }

    /** {@link #capabilitiesOf} as encoded JSON: what a forwarded request's {@code _meta} carries, written as it is. */
    static RawJson capabilitiesJsonOf(ClientQuestions context) {
        return ENCODED_DECLARATIONS[featureMask(context)];
    }

    private static int featureMask(ClientQuestions context) {
        int mask = 0;
        for (ClientFeature f : FEATURES) {
            if (context.clientSupports(f)) {
                mask |= 1 << f.ordinal();
            }
        }
        return mask;
    }

    private static final ClientFeature[] FEATURES = ClientFeature.values();
    /** The declaration of each combination of features, by the bits of their ordinals: shared, never changed. */
    @SuppressWarnings("unchecked")
    private static final Map<String, Object>[] DECLARATIONS = new Map[1 << FEATURES.length];
    private static final RawJson[] ENCODED_DECLARATIONS = new RawJson[DECLARATIONS.length];

    static {
        for (int mask = 0; mask < DECLARATIONS.length; mask++) {
            int m = mask;
            DECLARATIONS[mask] = unmodifiable(ClientFeature.declaration(f -> (m & (1 << f.ordinal())) != 0));
            ENCODED_DECLARATIONS[mask] = RawJson.ofParsed(io.peregrine.rpc.JsonTree.toJson(DECLARATIONS[mask]));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> unmodifiable(Map<String, Object> tree) {
        Map<String, Object> out = new LinkedHashMap<>();
        tree.forEach((k, v) -> out.put(k, v instanceof Map ? unmodifiable((Map<String, Object>) v) : v));
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The request as errors show it: {@code tools/call get_forecast}. */
    private String what() {
        return method + " " + target;
    }

    /** The handlers to give the forwarded call. */
    CallHandlers handlers() {
        return CallHandlers.of(params -> ask("elicitation/create", params),
                params -> ask("sampling/createMessage", params),
                params -> ask("roots/list", params),
                context instanceof ToolContext ? (method, params) -> log((ToolContext) context, params) : null);
    }

    /**
     * Follows the forwarded request; the future is what the forwarder waits for. An upstream that
     * ended with an error, or a tool error result, after a question needed a capability the
     * client did not declare ends it with that error (-32021), as the gateway's own server does
     * for a question its handler did not catch.
     */
    CompletableFuture<T> watch(CompletableFuture<T> forwarded, Consumer<String> cancel) {
        this.cancel = cancel;
        io.peregrine.exec.EndHookFuture.whenEnded(forwarded, (result, failure) -> {
            if (deferred.get() > 0) {
                // Waiting for a later round: the upstream's outcome does not matter, and the questions it
                // sent with the first may still be on their way to the call's record; endIfSettled ends it.
                lastQuestion = System.nanoTime();
                forwardedEnded = true;
                check(QUIET_MILLIS);
                return;
            }
            McpClientException refused = missing;
            if (refused != null && (failure != null
                    || (result instanceof CallToolResult && ((CallToolResult) result).isError()))) {
                answer.completeExceptionally(refused);
            } else if (failure != null) {
                answer.completeExceptionally(failure);
            } else {
                answer.complete(result);
            }
        });
        return answer;
    }

    /**
     * Puts a 2026-07-28 upstream's input requests ({@code key -> {"method", "params"}}) to the
     * client together, under the same keys (one round of a task's client, requests at once to a
     * 2025 client), and waits for the answers (blocks: run it on a worker thread); throws with what
     * the client answered instead of any of them.
     *
     * @return the answers by key, in the requests' order
     */
    Map<String, Object> answerAll(Map<String, Object> inputRequests) throws McpClientException {
        RelayedRequest[] questions = new RelayedRequest[inputRequests.size()];
        String[] methods = new String[questions.length];
        int i = 0;
        for (Map.Entry<String, Object> e : inputRequests.entrySet()) {
            Map<?, ?> request = e.getValue() instanceof Map ? (Map<?, ?>) e.getValue() : Map.of();
            Map<String, Object> params = new LinkedHashMap<>();
            if (request.get("params") instanceof Map) {
                ((Map<?, ?>) request.get("params")).forEach((k, v) -> params.put((String) k, v));
            }
            String method = String.valueOf(request.get("method"));
            methods[i] = method;
            questions[i++] = RelayedRequest.of(method, params).key(e.getKey());
        }
        List<Object> answers = askAll(String.join(", ", new java.util.LinkedHashSet<>(List.of(methods))), questions);
        Map<String, Object> byKey = new LinkedHashMap<>();
        i = 0;
        for (String key : inputRequests.keySet()) {
            byKey.put(key, RelayedRequest.answerOf(answers.get(i++)));
        }
        return byKey;
    }

    /** Whether a question of this call waits for the client's next {@code input_required} round. */
    boolean waitsForAnswers() {
        return deferred.get() > 0;
    }

    private Map<String, Object> ask(String method, Map<String, Object> params) throws McpClientException {
        RelayedRequest question = question(method, params);
        if (question.key() != null) {
            // Named by the upstream, it needs no place among the others: questions sent together are
            // asked together (one round of a task's client, requests at once to a 2025 client).
            CallHandlers.letNextQuestionStart();
        }
        return RelayedRequest.answerOf(askAll(method, question).get(0));
    }

    /** Puts questions to the client together; {@code method} names them in errors. */
    private List<Object> askAll(String method, RelayedRequest... questions) throws McpClientException {
        if (answer.isDone()) {
            throw new McpClientException(JsonRpcError.INTERNAL_ERROR, "The gateway's " + what()
                    + " that this " + method + " belongs to has ended", null);
        }
        try {
            return context.ask(questions);
        } catch (MissingClientCapabilityException e) {
            McpClientException refused = new McpClientException(JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY,
                    "The client of " + what() + " through the gateway did not declare the capability " + e.feature()
                    + " that " + method + " needs", Map.of("requiredCapabilities", e.feature().requiredCapabilities()));
            missing = refused;
            throw refused;
        } catch (InputRequiredException e) {
            answerLater();
            throw new McpClientException(JsonRpcError.INTERNAL_ERROR, "The client of " + what()
                    + " through the gateway answers " + method + " in a later input_required round (2026-07-28); "
                    + "this call is cancelled and will be made again with the answer", null);
        } catch (ClientRequestException e) {
            throw new McpClientException(e.code() != 0 ? e.code() : JsonRpcError.INTERNAL_ERROR, e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McpClientException(JsonRpcError.INTERNAL_ERROR, "The gateway's " + what()
                    + " was cancelled while its client was asked " + method, null);
        } catch (IllegalArgumentException e) {
            throw new McpClientException(JsonRpcError.INTERNAL_ERROR, "The client of " + what()
                    + " through the gateway answered " + method + " with " + e.getMessage(), null);
        }
    }

    /**
     * The upstream's request as a question of the gateway's call: under the {@code inputRequests}
     * key a Peregrine upstream's tool chose ({@link ClientRequest#META_INPUT_KEY}, taken out of the
     * params the client gets), else under the key its place in the call gives it.
     */
    static RelayedRequest question(String method, Map<String, Object> params) {
        Object meta = params != null ? params.get("_meta") : null;
        Object key = meta instanceof Map ? ((Map<?, ?>) meta).get(ClientRequest.META_INPUT_KEY) : null;
        if (!(key instanceof String) || ((String) key).isEmpty()) {
            return RelayedRequest.of(method, params);
        }
        Map<String, Object> rest = new LinkedHashMap<>();
        ((Map<?, ?>) meta).forEach((k, v) -> rest.put((String) k, v));
        rest.remove(ClientRequest.META_INPUT_KEY);
        Map<String, Object> relayed = new LinkedHashMap<>(params);
        if (rest.isEmpty()) {
            relayed.remove("_meta");
        } else {
            relayed.put("_meta", rest);
        }
        return RelayedRequest.of(method, relayed).key((String) key);
    }

    /**
     * The call's client answers in a later round. The gateway's call ends (with the
     * {@code input_required} result the server makes of the questions recorded, whatever it ends
     * with) and the forwarded call is cancelled once no further question came for
     * {@link #QUIET_MILLIS} after the upstream's call ended, so that questions sent together reach
     * one round; an upstream that goes on without its answers is cancelled after
     * {@link #PATIENCE_MILLIS} without a question.
     */
    private void answerLater() {
        lastQuestion = System.nanoTime();
        if (deferred.getAndIncrement() == 0) {
            check(QUIET_MILLIS);
        }
    }

    private void check(long millis) {
        CompletableFuture.delayedExecutor(Math.max(1, millis), TimeUnit.MILLISECONDS).execute(this::endIfSettled);
    }

    private void endIfSettled() {
        if (answer.isDone()) {
            return;
        }
        long quiet = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastQuestion);
        long needed = forwardedEnded ? QUIET_MILLIS : PATIENCE_MILLIS;
        if (quiet < needed) {
            check(Math.min(needed - quiet, QUIET_MILLIS));
            return;
        }
        // Not an upstream failure: the gateway's server turns the call's outcome into input_required.
        if (answer.completeExceptionally(new McpClientException(JsonRpcError.INVALID_REQUEST, "Upstream "
                + upstream + ": " + what() + " waits for its client's answers", null))) {
            Consumer<String> c = cancel;
            if (c != null) {
                c.accept("the gateway's client answers in a later round");
            }
        }
    }

    private void log(ToolContext context, Map<String, Object> params) {
        Object name = params.get("level");
        LogLevel level = name instanceof String ? LogLevel.find((String) name) : null;
        if (level == null || answer.isDone() || !context.isLoggable(level)) {
            return;
        }
        Object logger = params.get("logger");
        context.log(level, logger instanceof String ? (String) logger : null, params.get("data"));
    }

    // ------------------------------------------------------------------ the link

    /**
     * Declares on an upstream link the capabilities whose requests the gateway relays (elicitation
     * in form and URL mode, sampling, roots), with handlers for the requests the link cannot tie to
     * a forwarded call: they are answered with an error that says why. The link asks the upstream
     * for every log level; each client gets the levels it asked for.
     *
     * @param link the link's client once connected (null before)
     */
    static PeregrineClient.Builder declare(PeregrineClient.Builder builder, String upstream,
                                           Supplier<PeregrineClient> link) {
        return builder
                .onElicitation(params -> unassociated(upstream, "elicitation/create", link), true, true)
                .onSampling(params -> unassociated(upstream, "sampling/createMessage", link))
                .onRootsList(params -> unassociated(upstream, "roots/list", link))
                .onConnectionChange(new ConnectionListener() {
                    @Override
                    public void onReady(boolean again) {
                        if (again) {
                            linked(link.get());
                        }
                    }
                });
    }

    /** A link (re)connected: asks for every log level, so that the gateway can give each client its own. */
    static void linked(PeregrineClient client) {
        if (client == null) {
            return;
        }
        String version = client.negotiatedVersion();
        if (version != null && version.compareTo("2026") > 0) {
            client.setLoggingLevel(LogLevel.DEBUG.wireName()); // carried by each request: does not block
        } else if (client.serverCapabilities().containsKey("logging")) {
            client.request("logging/setLevel", Map.of("level", LogLevel.DEBUG.wireName()))
                    .whenComplete((r, failure) -> {
                        if (failure != null) {
                            log.debug("logging/setLevel on an upstream link failed: {}", failure.toString());
                        }
                    });
        }
    }

    private static Map<String, Object> unassociated(String upstream, String method, Supplier<PeregrineClient> link)
            throws McpClientException {
        PeregrineClient c = link.get();
        int calls = c != null ? c.callsInFlight() : 0;
        String why = calls == 0
                ? "no call of the gateway's clients is in flight on this link"
                : calls + " calls of the gateway's clients are in flight on this link, and a server's request on "
                + "TCP, WebSocket, stdio or an HTTP session's GET stream does not say which call it serves "
                + "(on Streamable HTTP, a request on a call's response stream is relayed)";
        log.debug("upstream {}: answered {} with an error: {}", upstream, method, why);
        throw new McpClientException(JsonRpcError.INTERNAL_ERROR, "The gateway cannot tell which of its clients this "
                + method + " is for: " + why, null);
    }
}
