package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.ops.tracing.PeregrineTracing;
import io.peregrine.ops.tracing.TracingSettings;
import io.peregrine.testing.OtlpReceiver;
import io.peregrine.demo.EchoTool;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With tracing on, a call through the gateway is one trace: the gateway's SERVER span, its CLIENT
 * span for the attempt on the upstream, and the upstream's SERVER span under that (its context
 * passed in {@code _meta}), all exported to a real OTLP receiver.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayTracingTest {

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void aForwardedCallIsAClientSpanBetweenTheGatewaysServerSpanAndTheUpstreams() throws Exception {
        OtlpReceiver receiver = new OtlpReceiver();
        closing.add(receiver);
        PeregrineTracing tracing = PeregrineTracing.start(TracingSettings.builder().endpoint(receiver.endpoint())
                .sampleRatio(1.0).serviceName("gateway-test").build());
        closing.add(tracing);
        Peregrine upstream = Peregrine.builder().tcp("127.0.0.1", 0).tool(EchoTool.create())
                .observer(tracing.observer()).build();
        closing.add(upstream);
        upstream.start();
        Peregrine gateway = Peregrine.builder().tcp("127.0.0.1", 0).observer(tracing.observer())
                .upstream(UpstreamSpec.builder("peri").url("tcp://127.0.0.1:" + upstream.addresses().tcp().getPort())
                        .build())
                .build();
        closing.add(gateway);
        gateway.start();
        PeregrineClient client = PeregrineClient.builder().address(gateway.addresses().tcp())
                .protocolVersion("2025-11-25").requestTimeout(Duration.ofSeconds(20)).connect();
        closing.add(client);

        assertThat(client.callTool("peri_echo", Map.of("message", "traced")).text()).isEqualTo("traced");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((receiver.named("tools/call echo").size() < 2 || receiver.named("tools/call peri_echo").isEmpty())
                && System.nanoTime() < deadline) {
            tracing.flush(1_000);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        OtlpReceiver.Received outer = receiver.named("tools/call peri_echo").get(0);
        assertThat(outer.span().getKind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
        OtlpReceiver.Received attempt = receiver.matching(r -> r.span().getKind() == SpanKind.SPAN_KIND_CLIENT).get(0);
        assertThat(attempt.span().getName()).isEqualTo("tools/call echo");
        assertThat(attempt.traceIdHex()).isEqualTo(outer.traceIdHex());
        assertThat(attempt.parentSpanIdHex()).as("the attempt is a child of the gateway's request").isEqualTo(outer.spanIdHex());
        assertThat(attempt.attributes()).containsEntry("mcp.method.name", "tools/call")
                .containsEntry("gen_ai.tool.name", "echo").containsEntry("peregrine.upstream", "peri")
                .containsEntry("server.address", "tcp://127.0.0.1:" + upstream.addresses().tcp().getPort())
                .doesNotContainKey("error.type");
        OtlpReceiver.Received inner = receiver.matching(r -> r.span().getKind() == SpanKind.SPAN_KIND_SERVER
                && r.span().getName().equals("tools/call echo")).get(0);
        assertThat(inner.traceIdHex()).as("the upstream continues the trace").isEqualTo(outer.traceIdHex());
        assertThat(inner.parentSpanIdHex()).as("the upstream's span is the attempt's child").isEqualTo(attempt.spanIdHex());
    }
}
