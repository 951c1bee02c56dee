package io.peregrine.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An OTLP/HTTP trace receiver on a free loopback port: it takes what an exporter posts to
 * {@code /v1/traces}, decodes it with the OpenTelemetry protobuf classes, keeps every span, and
 * answers as a collector does. The spans are stored before the answer is sent, so once an exporter's
 * flush has succeeded they are all here.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** One received span with the resource it came under. */
    public record Received(Span span, Resource resource) {
        public String traceIdHex() {
            return HexFormat.of().formatHex(span.getTraceId().toByteArray());
        }

        public String spanIdHex() {
            return HexFormat.of().formatHex(span.getSpanId().toByteArray());
        }

        public String parentSpanIdHex() {
            return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
        }

        public Map<String, String> attributes() {
            return strings(span.getAttributesList());
        }

        public Map<String, String> resourceAttributes() {
            return strings(resource.getAttributesList());
        }
    }

    private final HttpServer server;
    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/v1/traces", this::receive);
        server.start();
    }

    /** The URL to export to. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    public List<Received> spans() {
        return new ArrayList<>(spans);
    }

    /** The spans named {@code name}. */
    public List<Received> named(String name) {
        return spans.stream().filter(r -> r.span().getName().equals(name)).collect(Collectors.toList());
    }

    public List<Received> matching(Predicate<Received> p) {
        return spans.stream().filter(p).collect(Collectors.toList());
    }

    public List<String> contentTypes() {
        return contentTypes;
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
            for (ResourceSpans rs : request.getResourceSpansList()) {
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (Span s : ss.getSpansList()) {
                        spans.add(new Received(s, rs.getResource()));
                    }
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    public static Map<String, String> strings(List<KeyValue> kvs) {
        return kvs.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> text(kv.getValue()), (a, b) -> b));
    }

    private static String text(AnyValue v) {
        switch (v.getValueCase()) {
            case STRING_VALUE:
                return v.getStringValue();
            case INT_VALUE:
                return Long.toString(v.getIntValue());
            case BOOL_VALUE:
                return Boolean.toString(v.getBoolValue());
            case DOUBLE_VALUE:
                return Double.toString(v.getDoubleValue());
            default:
                return v.toString();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
