package io.peregrine.chaos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy really delays, paces, stalls and resets (timings checked loosely, lower bounds only). */
@Timeout(30)
class ChaosProxyTest {
  private ServerSocket echo;
  private Thread acceptor;
  private ChaosProxy proxy;

  @BeforeEach void start() throws Exception {
    echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    acceptor = new Thread(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread t = new Thread(() -> {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              byte[] b = new byte[8192];
              for (int n; (n = in.read(b)) > 0; ) out.write(b, 0, n);
            } catch (IOException ignored) { }
          });
          t.setDaemon(true);
          t.start();
        } catch (IOException e) { return; }
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
    proxy = ChaosProxy.to(echo.getLocalPort());
  }

  @AfterEach void stop() throws Exception {
    proxy.close();
    echo.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", proxy.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private static byte[] roundTrip(Socket s, byte[] data) throws IOException {
    s.getOutputStream().write(data);
    byte[] back = new byte[data.length];
    new DataInputStream(s.getInputStream()).readFully(back);
    return back;
  }

  @Test void forwardsBytesIntactWithJitterAndKeepsOrder() throws Exception {
    proxy.up.latency(5, 30);
    proxy.down.latency(5, 30);
    byte[] data = new byte[200_000];
    new Random(7).nextBytes(data);
    try (Socket s = connect()) {
      Thread w = new Thread(() -> {
        try { for (int i = 0; i < data.length; i += 1000) { s.getOutputStream().write(data, i, 1000); } } catch (IOException ignored) { }
      });
      w.start();
      byte[] back = new byte[data.length];
      new DataInputStream(s.getInputStream()).readFully(back);
      w.join();
      assertArrayEquals(data, back, "jitter must not reorder or lose bytes");
    }
  }

  @Test void latencyDelaysEachDirection() throws Exception {
    try (Socket s = connect()) {
      roundTrip(s, new byte[] {1}); // connection established
      proxy.up.latency(150, 0);
      proxy.down.latency(150, 0);
      long t0 = System.nanoTime();
      roundTrip(s, new byte[] {2});
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("chaos-proxy: round trip with 150 ms each way took " + ms + " ms");
      assertTrue(ms >= 290, "round trip took only " + ms + " ms");
    }
  }

  @Test void bandwidthCapPacesTheStream() throws Exception {
    proxy.down.bandwidth(128 * 1024);
    byte[] data = new byte[128 * 1024];
    try (Socket s = connect()) {
      long t0 = System.nanoTime();
      Thread w = new Thread(() -> { try { s.getOutputStream().write(data); } catch (IOException ignored) { } });
      w.start();
      byte[] back = new byte[data.length];
      new DataInputStream(s.getInputStream()).readFully(back);
      w.join();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("chaos-proxy: 128 KiB at 128 KiB/s took %d ms (%.0f KiB/s)%n", ms, 128_000.0 / ms);
      assertTrue(ms >= 800, "128 KiB at 128 KiB/s came in " + ms + " ms");
    }
  }

  @Test void resetSendsRst() throws Exception {
    try (Socket s = connect()) {
      roundTrip(s, new byte[] {1});
      assertEquals(1, proxy.resetAll());
      SocketException e = assertThrows(SocketException.class, () -> {
        for (int i = 0; i < 100; i++) { s.getOutputStream().write(new byte[1024]); Thread.sleep(10); s.getInputStream().read(); }
      });
      assertTrue(e.getMessage().toLowerCase().contains("reset") || e.getMessage().contains("Broken pipe"), e.getMessage());
      assertEquals(1, proxy.resetConnections());
    }
  }

  @Test void resetEveryResetsPeriodically() throws Exception {
    proxy.resetEvery(150);
    int failures = 0;
    long end = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < end && failures < 3) {
      try (Socket s = connect()) {
        for (int i = 0; i < 100; i++) { roundTrip(s, new byte[] {(byte) i}); Thread.sleep(5); }
      } catch (IOException e) { failures++; }
    }
    assertTrue(failures >= 3, "periodic resets broke " + failures + " connections");
    assertTrue(proxy.resetConnections() >= 3);
  }

  @Test void halfOpenStallKeepsTheConnectionOpenButSilent() throws Exception {
    try (Socket s = connect()) {
      roundTrip(s, new byte[] {1});
      proxy.down.stall(true);
      s.getOutputStream().write(2);
      s.setSoTimeout(300);
      assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
      assertEquals(1, proxy.openConnections(), "a stall does not close");
      assertTrue(proxy.down.blackholedBytes() >= 1);
    }
  }
}
