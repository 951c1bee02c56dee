package io.peregrine.ops.metrics;

import io.peregrine.mcp.ObservedRequest;
import io.peregrine.mcp.ProtocolVersion;
import io.peregrine.transport.Transport;
import io.peregrine.ops.metrics.ClassicHistogram.Point;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code mcp_server_operation_duration_seconds}: the histogram and the table of its resolved data
 * points, so that recording a request finds its data point without building a label set.
 *
 * <p>The table has three levels, each chosen so that a lookup allocates nothing: the method (a
 * map fixed at construction, of the MCP methods, plus {@code _OTHER}), the target (tools and
 * prompts that are registered, in a concurrent map that grows only with the registries, plus
 * {@code _OTHER}), and the transport and protocol revision (an array indexed by their ordinals).
 * A {@link Series} then holds the data point of success and those of each error type. Every label
 * value is a constant or a registered name, so the number of series is bounded by construction.
 */
final class OperationDurations {

    static final String NAME = "mcp_server_operation_duration_seconds";

    /** The semantic-convention buckets with four finer ones in front, for sub-millisecond calls. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10,
            30, 60, 120, 300};

    /** The MCP request methods that become label values; any other method is {@code _OTHER}. */
    static final List<String> METHODS = List.of("initialize", "ping", "server/discover",
            "tools/list", "tools/call", "resources/list", "resources/read", "resources/templates/list",
            "resources/subscribe", "resources/unsubscribe", "prompts/list", "prompts/get",
            "completion/complete", "logging/setLevel", "subscriptions/listen",
            "tasks/get", "tasks/list", "tasks/result", "tasks/cancel", "tasks/update");

    /** {@code error_type} of a {@code tools/call} result with {@code isError: true}. */
    static final String TOOL_ERROR = "tool_error";
    /** {@code error_type} of a request that got no answer: cancelled, or its connection went first. */
    static final String CANCELLED = "cancelled";

    private static final ProtocolVersion[] VERSIONS = ProtocolVersion.values();
    private static final Transport[] TRANSPORTS = Transport.values();
    /** Version slots: unknown (no label), each revision, then {@code _OTHER}. */
    private static final int VERSION_SLOTS = VERSIONS.length + 2;

    private final ClassicHistogram histogram;
    private final ErrorTypes errorTypes = new ErrorTypes();
    private final Map<String, MethodSeries> methods = new HashMap<>();
    private final MethodSeries otherMethod;
    private final boolean exemplars;

    OperationDurations(boolean exemplars) {
        this.histogram = new ClassicHistogram(NAME,
                "Duration of MCP requests as the server sees them, from dispatch to answer", Unit.SECONDS, BUCKETS,
                "mcp_method_name", "gen_ai_tool_name", "gen_ai_prompt_name", "mcp_protocol_version",
                "network_transport", "network_protocol_name", "error_type");
        this.exemplars = exemplars;
        for (String method : METHODS) {
            methods.put(method, new MethodSeries(method, targetKind(method)));
        }
        this.otherMethod = new MethodSeries(MetricsObserver.OTHER, TargetKind.NONE);
    }

    /** The collector to register. */
    ClassicHistogram histogram() {
        return histogram;
    }

    private static TargetKind targetKind(String method) {
        switch (method) {
            case "tools/call":
                return TargetKind.TOOL;
            case "prompts/get":
                return TargetKind.PROMPT;
            default:
                return TargetKind.NONE;
        }
    }

    /** Records one request; allocates nothing once its series exists (exemplars aside). */
    void record(ObservedRequest request, int errorCode, boolean toolError, boolean answered, long durationNanos,
                TraceExemplars traces) {
        Series series = series(request);
        Point point;
        if (!answered) {
            point = series.cancelled();
        } else if (errorCode != 0) {
            point = series.error(errorCode);
        } else if (toolError) {
            point = series.toolError();
        } else {
            point = series.ok;
        }
        double seconds = durationNanos / 1e9;
        if (exemplars && series.exemplarDue()) {
            String traceId = traces.traceId(request);
            String spanId = traceId == null ? null : traces.spanId(request);
            if (spanId != null) {
                point.observe(seconds, traceId, spanId);
                return;
            }
        }
        point.observe(seconds);
    }

    Series series(ObservedRequest request) {
        MethodSeries method = methods.get(request.method());
        if (method == null) {
            method = otherMethod;
        }
        TargetSeries target = method.target(request);
        Transport transport = request.transport();
        int slot = transport.ordinal() * VERSION_SLOTS + versionSlot(request.protocolVersion());
        Series series = target.series.get(slot);
        if (series == null) {
            series = target.create(slot, transport, versionLabel(slot % VERSION_SLOTS));
        }
        return series;
    }

    private static int versionSlot(String version) {
        if (version == null) {
            return 0;
        }
        ProtocolVersion v = ProtocolVersion.find(version);
        return v == null ? VERSION_SLOTS - 1 : v.ordinal() + 1;
    }

    private static String versionLabel(int slot) {
        if (slot == 0) {
            return "";
        }
        return slot == VERSION_SLOTS - 1 ? MetricsObserver.OTHER : VERSIONS[slot - 1].id();
    }

    private enum TargetKind { NONE, TOOL, PROMPT }

    private final class MethodSeries {
        final String method;
        final TargetKind kind;
        /** Registered tools or prompts by name; empty for methods without a labelled target. */
        final ConcurrentHashMap<String, TargetSeries> targets = new ConcurrentHashMap<>();
        /** The target of unregistered names, or of every call of a method without a labelled target. */
        final TargetSeries other;

        MethodSeries(String method, TargetKind kind) {
            this.method = method;
            this.kind = kind;
            this.other = kind == TargetKind.NONE ? new TargetSeries(this, "") : new TargetSeries(this, MetricsObserver.OTHER);
        }

        TargetSeries target(ObservedRequest request) {
            if (kind == TargetKind.NONE) {
                return other;
            }
            String name = request.target();
            if (name == null || !request.targetRegistered()) {
                return other;
            }
            TargetSeries t = targets.get(name);
            return t != null ? t : targets.computeIfAbsent(name, n -> new TargetSeries(this, n));
        }
    }

    private final class TargetSeries {
        final MethodSeries method;
        final String target;
        final AtomicReferenceArray<Series> series = new AtomicReferenceArray<>(TRANSPORTS.length * VERSION_SLOTS);

        TargetSeries(MethodSeries method, String target) {
            this.method = method;
            this.target = target;
        }

        Series create(int slot, Transport transport, String version) {
            String tool = method.kind == TargetKind.TOOL ? target : "";
            String prompt = method.kind == TargetKind.PROMPT ? target : "";
            String protocolName = transport.networkProtocolName();
            Series created = new Series(new String[] {method.method, tool, prompt, version,
                    transport.networkTransport(), protocolName == null ? "" : protocolName});
            return series.compareAndSet(slot, null, created) ? created : series.get(slot);
        }
    }

    /** The data points of one label set but {@code error_type}: success, and each kind of failure. */
    final class Series {
        private final String[] labels;
        final Point ok;
        private volatile Point toolError;
        private volatile Point cancelled;
        private volatile Point otherError;
        private volatile int[] errorCodes = new int[0];
        private volatile Point[] errorPoints = new Point[0];
        private volatile long nextExemplarNanos = System.nanoTime();

        Series(String[] labels) {
            this.labels = labels;
            this.ok = point("");
        }

        private Point point(String errorType) {
            return histogram.point(labels[0], labels[1], labels[2], labels[3], labels[4], labels[5], errorType);
        }

        Point toolError() {
            Point p = toolError;
            if (p == null) {
                p = toolError = point(TOOL_ERROR);
            }
            return p;
        }

        Point cancelled() {
            Point p = cancelled;
            if (p == null) {
                p = cancelled = point(CANCELLED);
            }
            return p;
        }

        Point error(int code) {
            int[] codes = errorCodes;
            Point[] points = errorPoints;
            for (int i = 0; i < codes.length && i < points.length; i++) {
                if (codes[i] == code) {
                    return points[i];
                }
            }
            return addError(code);
        }

        private synchronized Point addError(int code) {
            int[] codes = errorCodes;
            for (int i = 0; i < codes.length; i++) {
                if (codes[i] == code) {
                    return errorPoints[i];
                }
            }
            String type = errorTypes.label(code);
            if (type == MetricsObserver.OTHER) {
                // Not remembered by code: codes past the bound would grow the arrays without end.
                Point p = otherError;
                if (p == null) {
                    p = otherError = point(type);
                }
                return p;
            }
            Point p = point(type);
            int[] nc = java.util.Arrays.copyOf(codes, codes.length + 1);
            Point[] np = java.util.Arrays.copyOf(errorPoints, codes.length + 1);
            nc[codes.length] = code;
            np[codes.length] = p;
            errorPoints = np;
            errorCodes = nc;
            return p;
        }

        /** Whether this series may take an exemplar now: about once per interval (a race lets two through). */
        boolean exemplarDue() {
            long now = System.nanoTime();
            long next = nextExemplarNanos;
            if (now - next < 0) {
                return false;
            }
            nextExemplarNanos = now + TraceExemplars.INTERVAL_NANOS;
            return true;
        }
    }
}
