package io.peregrine.ops.metrics;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.demo.EchoTool;
import io.peregrine.mcp.ObservedRequest;
import io.peregrine.ops.tracing.PeregrineTracing;
import io.peregrine.ops.tracing.TracingObserver;
import io.peregrine.ops.tracing.TracingSettings;
import io.peregrine.testing.OtlpReceiver;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With tracing on, an OpenMetrics scrape's exemplar on the duration of a {@code tools/call} names
 * the very span the tracer exported for that call: the tracer is given to the builder, the metrics
 * observe after it and ask it for the ids of the request it just ended.
 */
class TracedExemplarsTest {

    private static final Pattern EXEMPLAR = Pattern.compile(
            "mcp_server_operation_duration_seconds_bucket\\{[^}]*gen_ai_tool_name=\"echo\"[^}]*} 1 "
                    + "# \\{span_id=\"([0-9a-f]{16})\",trace_id=\"([0-9a-f]{32})\"}");

    @Test
    void theExemplarIsTheSpanOfTheCall() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver();
             PeregrineTracing tracing = PeregrineTracing.start(TracingSettings.builder()
                     .endpoint(receiver.endpoint()).sampleRatio(1.0).build())) {
            TracingObserver tracer = tracing.observer();
            try (Peregrine server = Peregrine.builder()
                    .tool(EchoTool.create())
                    .tcp("127.0.0.1", 0)
                    .admin("127.0.0.1", 0)
                    .observer(tracer)
                    .metricsExemplars(new TraceExemplars() {
                        @Override
                        public String traceId(ObservedRequest request) {
                            return tracer.traceIdOf(request);
                        }

                        @Override
                        public String spanId(ObservedRequest request) {
                            return tracer.spanIdOf(request);
                        }
                    })
                    .build()) {
                Peregrine.BoundAddresses addresses = server.start();
                try (PeregrineClient client = PeregrineClient.builder().address(addresses.tcp()).connect()) {
                    client.callTool("echo", Map.of("message", "traced"));
                }
                String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.adminAddress().getPort() + "/metrics"))
                        .header("Accept", MetricsExpositionTest.PROMETHEUS_ACCEPT).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = EXEMPLAR.matcher(scrape);
                assertThat(m.find()).as("an exemplar on the echo call's bucket in:%n%s", scrape).isTrue();
                String spanId = m.group(1);
                String traceId = m.group(2);

                assertThat(tracing.flush(10_000)).isTrue();
                List<OtlpReceiver.Received> spans = receiver.named("tools/call echo");
                assertThat(spans).hasSize(1);
                assertThat(spans.get(0).traceIdHex()).isEqualTo(traceId);
                assertThat(spans.get(0).spanIdHex()).isEqualTo(spanId);
            }
        }
    }
}
