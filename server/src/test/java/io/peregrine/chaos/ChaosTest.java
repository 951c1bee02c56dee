package io.peregrine.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peregrine.Peregrine;
import io.peregrine.client.ClientKitServer;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PendingCall;
import io.peregrine.client.PeregrineClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client and a real Peregrine server with {@link ChaosProxy} between them. Asserts only
 * correctness (exactly once, ordered progress, the documented errors); timings are printed.
 */
@Timeout(60)
class ChaosTest {
  private static Peregrine server;
  private static Peregrine.BoundAddresses addresses;

  @BeforeAll static void start() throws Exception {
    server = ClientKitServer.builder().http("127.0.0.1", 0).build();
    addresses = server.start();
  }

  @AfterAll static void stop() { server.close(); }

  private static long percentile(List<Long> xs, double p) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.isEmpty() ? -1 : s.get(Math.min(s.size() - 1, (int) Math.ceil(p * s.size()) - 1));
  }

  @Test void aProgressStreamResetMidwayResumesAndTheResultArrivesOnceUnderJitter() throws Exception {
    List<Long> millis = new ArrayList<>();
    int ok = 0;
    int runs = 3;
    try (ChaosProxy proxy = ChaosProxy.to(addresses.http().getPort());
         PeregrineClient c = PeregrineClient.builder().url("http://127.0.0.1:" + proxy.port() + "/mcp")
             .requestTimeout(Duration.ofSeconds(30)).connect()) {
      proxy.up.latency(0, 200);
      proxy.down.latency(0, 200);
      for (int run = 0; run < runs; run++) {
        List<Double> progress = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> midway = new CompletableFuture<>();
        long t0 = System.nanoTime();
        PendingCall call = c.callToolAsync("slow", Map.of("millis", 1_500, "steps", 15), (p, total, m) -> {
          progress.add(p);
          if (p >= 5) midway.complete(null);
        });
        midway.get(30, TimeUnit.SECONDS);
        assertThat(proxy.resetAll()).isPositive();
        assertThat(call.result().get(30, TimeUnit.SECONDS).text()).isEqualTo("slept 1500");
        millis.add((System.nanoTime() - t0) / 1_000_000);
        List<Double> expected = new ArrayList<>();
        for (int i = 1; i <= 15; i++) expected.add((double) i);
        assertThat(progress).as("every progress once, in order").containsExactlyElementsOf(expected);
        ok++;
      }
      System.out.printf("chaos: http+sse, reset mid-stream, 0-200 ms jitter: %d/%d ok, p50 %d ms, p99 %d ms, %d resets%n",
          ok, runs, percentile(millis, 0.5), percentile(millis, 0.99), proxy.resetConnections());
    }
  }

  @Test void callDeadlinesHoldOnA64KiBLink() throws Exception {
    List<Long> millis = new ArrayList<>();
    int timedOut = 0;
    int runs = 3;
    try (ChaosProxy proxy = ChaosProxy.to(addresses.http().getPort());
         PeregrineClient c = PeregrineClient.builder().url("http://127.0.0.1:" + proxy.port() + "/mcp")
             .requestTimeout(Duration.ofMillis(1_000)).connect()) {
      proxy.up.bandwidth(64 * 1024);
      proxy.down.bandwidth(64 * 1024);
      String big = "x".repeat(256 * 1024); // 4 s each way at 64 KiB/s
      for (int run = 0; run < runs; run++) {
        long t0 = System.nanoTime();
        PendingCall call = c.callToolAsync("echo", Map.of("message", big), null);
        assertThatThrownBy(() -> call.result().get(20, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class).cause()
            .isInstanceOf(McpClientException.class)
            .hasMessageContaining("timed out after 1000 ms")
            .hasRootCauseInstanceOf(TimeoutException.class);
        millis.add((System.nanoTime() - t0) / 1_000_000);
        timedOut++;
      }
      System.out.printf("chaos: http at 64 KiB/s, 1 s deadline, 256 KiB calls: %d/%d ended with the timeout error, p50 %d ms, p99 %d ms%n",
          timedOut, runs, percentile(millis, 0.5), percentile(millis, 0.99));
    }
  }

  @Test void webSocketPingsKeepAQuietLinkOpenUnderJitterAndAHalfOpenStallIsClosedByTheIdleTimeout() throws Exception {
    Peregrine ws = ClientKitServer.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0)
        .webSocketIdleTimeout(Duration.ofMillis(1_500)).webSocketPingInterval(Duration.ofMillis(300)).build();
    try (ws; ChaosProxy proxy = ChaosProxy.to(ws.start().http().getPort());
         PeregrineClient c = PeregrineClient.builder().url("ws://127.0.0.1:" + proxy.port() + "/mcp")
             .requestTimeout(Duration.ofSeconds(10)).connect()) {
      proxy.up.latency(0, 200);
      proxy.down.latency(0, 200);
      Thread.sleep(3_000); // twice the idle timeout, nothing sent by the client but pongs
      assertThat(c.callTool("echo", Map.of("message", "still here")).text()).isEqualTo("still here");
      assertThat(proxy.acceptedConnections()).as("no false idle close, no reconnection").isEqualTo(1);
      proxy.up.stall(true); // the server hears nothing more, pongs included
      long t0 = System.nanoTime();
      while (proxy.openConnections() > 0 && System.nanoTime() - t0 < 10_000_000_000L) Thread.sleep(20);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(proxy.openConnections()).as("the half-open link is closed by the idle timeout").isZero();
      System.out.printf("chaos: ws, ping 300 ms, idle 1500 ms, 0-200 ms jitter: quiet 3 s with no false close; half-open stall closed after %d ms%n", ms);
    }
  }
}
