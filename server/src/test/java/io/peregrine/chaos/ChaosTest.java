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

  @Test void theGatewayRetriesReadsOnTheOtherEndpointAndNeverRunsAWriteTwiceWhileOneLinkResets() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("peregrine-chaos");
    Peregrine a = io.peregrine.gateway.ResilienceReplica.start("a", 10, dir.resolve("a.ledger"));
    Peregrine b = io.peregrine.gateway.ResilienceReplica.start("b", 10, dir.resolve("b.ledger"));
    try (a; b; ChaosProxy proxy = ChaosProxy.to(b.addresses().tcp().getPort())) {
      proxy.resetEvery(700);
      Peregrine gateway = Peregrine.builder().tcp("127.0.0.1", 0)
          .upstream(io.peregrine.gateway.UpstreamSpec.builder("svc").url("tcp://127.0.0.1:" + a.addresses().tcp().getPort())
              .url("tcp://127.0.0.1:" + proxy.port()).callTimeout(Duration.ofSeconds(5))
              .reconnect(Duration.ofMillis(100), Duration.ofMillis(500)).build()).build();
      try (gateway) {
        gateway.start();
        io.peregrine.testing.Await.until(() -> gateway.gateway().upstreams().getOrDefault("svc", false), "svc is federated");
        try (PeregrineClient c = PeregrineClient.builder().address(gateway.addresses().tcp()).protocolVersion("2025-11-25")
            .requestTimeout(Duration.ofSeconds(20)).connect()) {
          List<Long> readMillis = new ArrayList<>();
          List<Long> writeMillis = new ArrayList<>();
          int reads = 0, writesOk = 0;
          List<String> writeFailures = new ArrayList<>();
          long end = System.nanoTime() + 3_500_000_000L;
          for (int n = 0; n < 400 && System.nanoTime() < end; n++) {
            long t0 = System.nanoTime();
            String who = c.callTool("svc_read", Map.of()).text();
            assertThat(who).isIn("a", "b");
            readMillis.add((System.nanoTime() - t0) / 1_000_000);
            reads++;
            t0 = System.nanoTime();
            try {
              c.callTool("svc_write", Map.of("key", "k" + n));
              writesOk++;
              writeMillis.add((System.nanoTime() - t0) / 1_000_000);
            } catch (McpClientException e) {
              writeFailures.add(e.getMessage());
              assertThat(e.getMessage()).contains("Upstream svc");
            }
          }
          Map<String, Integer> executed = new java.util.HashMap<>();
          for (String ledger : List.of("a.ledger", "b.ledger")) {
            java.nio.file.Path f = dir.resolve(ledger);
            if (java.nio.file.Files.exists(f)) {
              for (String line : java.nio.file.Files.readAllLines(f)) executed.merge(line.substring(line.indexOf(' ') + 1), 1, Integer::sum);
            }
          }
          assertThat(executed.values()).as("no write ran twice").allMatch(x -> x == 1);
          System.out.printf("chaos: gateway, endpoint b reset every 700 ms: reads %d/%d ok (p50 %d ms, p99 %d ms), writes %d ok, %d failed with a clear error %s (p50 %d ms, p99 %d ms), %d resets, no write executed twice (%d executed)%n",
              reads, reads, percentile(readMillis, 0.5), percentile(readMillis, 0.99), writesOk, writeFailures.size(),
              writeFailures.isEmpty() ? "" : writeFailures.get(0), percentile(writeMillis, 0.5), percentile(writeMillis, 0.99),
              proxy.resetConnections(), executed.size());
        }
      }
    }
  }
}
