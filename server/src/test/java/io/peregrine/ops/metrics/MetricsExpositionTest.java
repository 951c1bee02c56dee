package io.peregrine.ops.metrics;

import io.peregrine.mcp.ObservedRequest;
import io.peregrine.transport.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsExpositionTest {

    /** What Prometheus 2.x sends. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
            + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "*/*", "text/plain", "text/plain;version=0.0.4", "application/json",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
            "application/openmetrics-text;version=2.0.0", "application/openmetrics-text;q=0",
            "application/openmetrics-text;q=zero", ";;;,,,=", "application/openmetrics-textual"})
    void anythingButOpenMetricsGetsTheTextFormat(String accept) throws IOException {
        PeregrineMetrics metrics = PeregrineMetrics.builder().jvm(false).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String type = metrics.exposition().write(accept, out);
        assertThat(type).isEqualTo("text/plain; version=0.0.4; charset=utf-8").isEqualTo(MetricsExposition.TEXT_FORMAT);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("# TYPE peregrine_messages_rejected_total counter").doesNotContain("# EOF");
    }

    @ParameterizedTest
    @ValueSource(strings = {PROMETHEUS_ACCEPT, "application/openmetrics-text", "Application/OpenMetrics-Text; version=1.0.0",
            "text/plain;q=0.9, application/openmetrics-text; version=0.0.1; q=0.5"})
    void openMetricsWhenAskedFor(String accept) throws IOException {
        PeregrineMetrics metrics = PeregrineMetrics.builder().jvm(false).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String type = metrics.exposition().write(accept, out);
        assertThat(type).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("# TYPE peregrine_messages_rejected counter")
                .contains("peregrine_messages_rejected_total{reason=\"too_large\"} 0")
                .contains("# UNIT mcp_server_session_duration_seconds seconds")
                .endsWith("# EOF\n");
    }

    @Test
    void exemplarsCarryTheTraceOfARequestInOpenMetricsOnly() throws IOException {
        TraceExemplars traces = new TraceExemplars() {
            @Override
            public String traceId(ObservedRequest request) {
                return TRACE_ID;
            }

            @Override
            public String spanId(ObservedRequest request) {
                return SPAN_ID;
            }
        };
        PeregrineMetrics metrics = PeregrineMetrics.builder().jvm(false).traceExemplars(traces).build();
        TestRequest request = TestRequest.call(Transport.TCP, "echo", true);
        metrics.observer().requestEnded(request, null, 0, false, true, 1_500_000);

        ByteArrayOutputStream om = new ByteArrayOutputStream();
        metrics.exposition().write(PROMETHEUS_ACCEPT, om);
        assertThat(om.toString(StandardCharsets.UTF_8)).containsPattern(
                "mcp_server_operation_duration_seconds_bucket\\{[^}]*gen_ai_tool_name=\"echo\"[^}]*le=\"0.0025\"} 1 "
                        + "# \\{span_id=\"" + SPAN_ID + "\",trace_id=\"" + TRACE_ID + "\"} 0.0015 ");

        ByteArrayOutputStream text = new ByteArrayOutputStream();
        metrics.exposition().write("text/plain", text);
        assertThat(text.toString(StandardCharsets.UTF_8)).doesNotContain(TRACE_ID);
    }

    @Test
    void withoutATraceNoExemplar() throws IOException {
        PeregrineMetrics metrics = PeregrineMetrics.builder().jvm(false).traceExemplars(new TraceExemplars() {
            @Override
            public String traceId(ObservedRequest request) {
                return null;
            }

            @Override
            public String spanId(ObservedRequest request) {
                return SPAN_ID;
            }
        }).build();
        metrics.observer().requestEnded(TestRequest.call(Transport.TCP, "echo", true), null, 0, false, true, 1_500_000);
        ByteArrayOutputStream om = new ByteArrayOutputStream();
        metrics.exposition().write(PROMETHEUS_ACCEPT, om);
        assertThat(om.toString(StandardCharsets.UTF_8)).contains("le=\"0.0025\"} 1\n").doesNotContain("span_id");
    }
}
