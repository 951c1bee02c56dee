package io.peregrine.ops.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.peregrine.mcp.McpObserver;
import io.peregrine.mcp.ObservedRequest;
import io.peregrine.transport.Transport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Opens one SERVER span per request where it enters dispatch and ends it where it is answered,
 * named and attributed as the OpenTelemetry MCP semantic conventions say: the name is
 * {@code {mcp.method.name} {target}} with the tool or prompt as target when it is registered (an
 * unknown name would make span names unbounded), else the method alone.
 *
 * <p>The parent is the context the client put in {@code params._meta} ({@code traceparent},
 * {@code tracestate}, {@code baggage}, SEP-414); the HTTP request's own {@code traceparent} header
 * is the transport's context, independent of the MCP one, and becomes a link. Anything malformed
 * is ignored and the span starts a new trace. The state handed back to {@link #requestEnded} is the
 * span's {@link Context}, which {@link #enter} makes current on the thread that runs the handler.
 */
public final class TracingObserver implements McpObserver {

    static final AttributeKey<String> MCP_METHOD_NAME = AttributeKey.stringKey("mcp.method.name");
    static final AttributeKey<String> MCP_SESSION_ID = AttributeKey.stringKey("mcp.session.id");
    static final AttributeKey<String> MCP_PROTOCOL_VERSION = AttributeKey.stringKey("mcp.protocol.version");
    static final AttributeKey<String> MCP_RESOURCE_URI = AttributeKey.stringKey("mcp.resource.uri");
    static final AttributeKey<String> GEN_AI_TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    static final AttributeKey<String> GEN_AI_PROMPT_NAME = AttributeKey.stringKey("gen_ai.prompt.name");
    static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> GEN_AI_TOOL_CALL_ARGUMENTS = AttributeKey.stringKey("gen_ai.tool.call.arguments");
    static final AttributeKey<String> JSONRPC_REQUEST_ID = AttributeKey.stringKey("jsonrpc.request.id");
    static final AttributeKey<String> RPC_RESPONSE_STATUS_CODE = AttributeKey.stringKey("rpc.response.status_code");
    static final AttributeKey<String> NETWORK_TRANSPORT = AttributeKey.stringKey("network.transport");
    static final AttributeKey<String> NETWORK_PROTOCOL_NAME = AttributeKey.stringKey("network.protocol.name");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    /** {@code error.type} of a {@code tools/call} answered with {@code isError: true}. */
    static final String TOOL_ERROR = "tool_error";
    /** {@code error.type} of a request that got no answer: cancelled, or its connection closed first. */
    static final String NO_ANSWER = "cancelled";

    private static final String TOOLS_CALL = "tools/call";
    private static final String PROMPTS_GET = "prompts/get";
    private static final String RESOURCES_READ = "resources/read";
    private static final List<String> META_KEYS = List.of("traceparent", "tracestate", "baggage");
    private static final List<String> HEADER_KEYS = List.of("traceparent", "tracestate");

    private final Tracer tracer;
    private final TextMapPropagator metaPropagator;
    private final TextMapPropagator headerPropagator;
    private final boolean recordArguments;
    /** Span names of registered tools and prompts, made once: {@code tools/call echo}. */
    private final Map<String, String> toolSpanNames = new ConcurrentHashMap<>();
    private final Map<String, String> promptSpanNames = new ConcurrentHashMap<>();
    /** The request this thread ended last and its span, for observers called after this one. */
    private final ThreadLocal<Ended> lastEnded = ThreadLocal.withInitial(Ended::new);

    TracingObserver(Tracer tracer, TextMapPropagator metaPropagator, TextMapPropagator headerPropagator,
                    boolean recordArguments) {
        this.tracer = tracer;
        this.metaPropagator = metaPropagator;
        this.headerPropagator = headerPropagator;
        this.recordArguments = recordArguments;
    }

    /** The tracer its spans come from, for spans of the server's own making (the gateway's CLIENT spans). */
    public Tracer tracer() {
        return tracer;
    }

    @Override
    public boolean observesStart() {
        return true;
    }

    @Override
    public Object requestStarted(ObservedRequest request) {
        String method = request.method();
        String target = request.target();
        Context parent = metaPropagator.extract(Context.root(), request, MetaGetter.INSTANCE);
        SpanBuilder builder = tracer.spanBuilder(spanName(method, target, request.targetRegistered()))
                .setSpanKind(SpanKind.SERVER)
                .setParent(parent);
        if (request.transport() == Transport.HTTP && request.httpHeader("traceparent") != null) {
            SpanContext transport = Span.fromContext(
                    headerPropagator.extract(Context.root(), request, HeaderGetter.INSTANCE)).getSpanContext();
            if (transport.isValid()) {
                builder.addLink(transport);
            }
        }
        Span span = builder.startSpan();
        if (span.isRecording()) {
            describe(span, request, method, target);
        }
        return parent.with(span);
    }

    private void describe(Span span, ObservedRequest request, String method, String target) {
        span.setAttribute(MCP_METHOD_NAME, method);
        if (target != null) {
            switch (method) {
                case TOOLS_CALL:
                    span.setAttribute(GEN_AI_TOOL_NAME, target);
                    span.setAttribute(GEN_AI_OPERATION_NAME, "execute_tool");
                    break;
                case PROMPTS_GET:
                    span.setAttribute(GEN_AI_PROMPT_NAME, target);
                    break;
                case RESOURCES_READ:
                    span.setAttribute(MCP_RESOURCE_URI, target);
                    break;
                default:
                    break;
            }
        }
        setIfPresent(span, JSONRPC_REQUEST_ID, unquoted(request.requestId()));
        setIfPresent(span, MCP_SESSION_ID, request.sessionId());
        setIfPresent(span, MCP_PROTOCOL_VERSION, request.protocolVersion());
        Transport transport = request.transport();
        if (transport != null) {
            span.setAttribute(NETWORK_TRANSPORT, transport.networkTransport());
            setIfPresent(span, NETWORK_PROTOCOL_NAME, transport.networkProtocolName());
        }
    }

    @Override
    public void requestEnded(ObservedRequest request, Object state, int errorCode, boolean toolError,
                             boolean answered, long durationNanos) {
        Ended ended = lastEnded.get();
        ended.request = request;
        if (!(state instanceof Context)) {
            ended.span = null;
            return;
        }
        Span span = Span.fromContext((Context) state);
        ended.span = span.getSpanContext();
        if (span.isRecording()) {
            String errorType = null;
            if (!answered) {
                errorType = NO_ANSWER;
            } else if (errorCode != 0) {
                errorType = Integer.toString(errorCode);
                span.setAttribute(RPC_RESPONSE_STATUS_CODE, errorType);
            } else if (toolError) {
                errorType = TOOL_ERROR;
            }
            if (errorType != null) {
                span.setAttribute(ERROR_TYPE, errorType);
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end();
    }

    /**
     * The trace id of {@code request}'s span, for a metrics exemplar: answered from the request this
     * thread ended last, so an observer that the core calls after this one in the same
     * {@code requestEnded} round finds it. Null for another request, or a span that was not sampled.
     */
    public String traceIdOf(ObservedRequest request) {
        SpanContext span = sampledSpanOf(request);
        return span == null ? null : span.getTraceId();
    }

    /** The span id of {@code request}'s span, as {@link #traceIdOf} finds it. */
    public String spanIdOf(ObservedRequest request) {
        SpanContext span = sampledSpanOf(request);
        return span == null ? null : span.getSpanId();
    }

    private SpanContext sampledSpanOf(ObservedRequest request) {
        Ended ended = lastEnded.get();
        if (ended.request != request || ended.span == null || !ended.span.isSampled()) {
            return null;
        }
        return ended.span;
    }

    /**
     * {@code task} run with the request's span current on whichever thread runs it: the core wraps a
     * handler's work with it, so that the handler (and anything it calls) sees
     * {@link PeregrineTracing#currentSpan()}, the request's baggage, and {@code trace_id} and
     * {@code span_id} in its log lines.
     */
    @Override
    public Runnable wrap(Object state, Runnable task) {
        if (!(state instanceof Context)) {
            return task;
        }
        Context context = (Context) state;
        return () -> {
            HandlerScope scope = HandlerScope.enter(context);
            try {
                task.run();
            } finally {
                scope.close();
            }
        };
    }

    /**
     * Makes the request's span current on this thread until the returned scope is closed, as
     * {@link #wrap} does around a task; close it on the same thread.
     *
     * @param state what {@link #requestStarted} returned for the request
     */
    public HandlerScope enter(Object state) {
        if (!(state instanceof Context)) {
            return HandlerScope.NONE;
        }
        return HandlerScope.enter((Context) state);
    }

    /**
     * Records a tool call's arguments on its span when {@code tracing.record-arguments} is on; a
     * no-op otherwise. {@code argumentsJson} is the raw JSON text of {@code params.arguments}.
     */
    public void recordArguments(Object state, String argumentsJson) {
        if (recordArguments && state instanceof Context && argumentsJson != null) {
            Span span = Span.fromContext((Context) state);
            if (span.isRecording()) {
                span.setAttribute(GEN_AI_TOOL_CALL_ARGUMENTS, argumentsJson);
            }
        }
    }

    /** Whether {@link #recordArguments} records anything: callers skip copying the arguments when not. */
    public boolean recordsArguments() {
        return recordArguments;
    }

    /**
     * Writes the current context (inside a handler: the request's span) into {@code meta}, the
     * {@code params._meta} of a request Peregrine is about to send, so that the peer's span becomes
     * a child of this one. Writes nothing when no span is current.
     */
    public void injectInto(Map<String, Object> meta) {
        metaPropagator.inject(Context.current(), meta, (carrier, key, value) -> carrier.put(key, value));
    }

    /**
     * Writes the context of {@code state}'s span (or, when null, the current one) into the
     * {@code _meta} of a request Peregrine sends, so that the peer's span becomes its child.
     */
    public void injectInto(Object state, BiConsumer<String, String> meta) {
        Context context = state instanceof Context ? (Context) state : Context.current();
        metaPropagator.inject(context, meta, (carrier, key, value) -> carrier.accept(key, value));
    }

    private String spanName(String method, String target, boolean registered) {
        if (target == null || !registered) {
            return method;
        }
        switch (method) {
            case TOOLS_CALL:
                return toolSpanNames.computeIfAbsent(target, t -> TOOLS_CALL + ' ' + t);
            case PROMPTS_GET:
                return promptSpanNames.computeIfAbsent(target, t -> PROMPTS_GET + ' ' + t);
            default:
                return method;
        }
    }

    private static void setIfPresent(Span span, AttributeKey<String> key, String value) {
        if (value != null) {
            span.setAttribute(key, value);
        }
    }

    /** {@code "abc"} → {@code abc}: the attribute holds the id's value; a number stays as written. */
    private static String unquoted(String id) {
        if (id != null && id.length() >= 2 && id.charAt(0) == '"' && id.charAt(id.length() - 1) == '"') {
            return id.substring(1, id.length() - 1);
        }
        return id;
    }

    /** What {@link #requestEnded} last saw on a thread; the request is compared by identity only. */
    private static final class Ended {
        ObservedRequest request;
        SpanContext span;
    }

    /** Reads the propagation keys from {@code params._meta}. */
    private enum MetaGetter implements TextMapGetter<ObservedRequest> {
        INSTANCE;

        @Override
        public Iterable<String> keys(ObservedRequest carrier) {
            return META_KEYS;
        }

        @Override
        public String get(ObservedRequest carrier, String key) {
            return carrier == null ? null : carrier.meta(key);
        }
    }

    /** Reads the W3C trace context headers of the HTTP request that carried it. */
    private enum HeaderGetter implements TextMapGetter<ObservedRequest> {
        INSTANCE;

        @Override
        public Iterable<String> keys(ObservedRequest carrier) {
            return HEADER_KEYS;
        }

        @Override
        public String get(ObservedRequest carrier, String key) {
            return carrier == null ? null : carrier.httpHeader(key);
        }
    }
}
