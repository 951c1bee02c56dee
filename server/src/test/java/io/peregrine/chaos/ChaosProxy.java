package io.peregrine.chaos;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting TCP proxy on loopback for chaos tests. It only does what a real network can do
 * to a TCP stream as seen by the application: delay chunks (latency plus jitter, order kept, since
 * TCP never hands reordered bytes to the reader), cap the bandwidth, stall one direction without
 * closing (a half-open link: the bytes are black-holed, as on a dead path), and reset connections
 * (RST through SO_LINGER 0). Dropping or reordering bytes inside a stream is not offered: TCP
 * retransmits and reorders below the socket, so the application only ever sees that as delay, and a
 * lost path as a stall or a reset. All settings change at runtime and apply to chunks read after.
 */
public final class ChaosProxy implements AutoCloseable {

  /** Impairment of one direction. */
  public static final class Link {
    volatile long latencyMillis;
    volatile long jitterMillis;
    volatile long bytesPerSecond;
    volatile boolean stalled;
    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong blackholed = new AtomicLong();

    public Link latency(long millis, long jitter) { latencyMillis = millis; jitterMillis = jitter; return this; }
    public Link bandwidth(long bytesPerSecond) { this.bytesPerSecond = bytesPerSecond; return this; }
    public Link stall(boolean stalled) { this.stalled = stalled; return this; }
    public long forwardedBytes() { return forwarded.get(); }
    public long blackholedBytes() { return blackholed.get(); }
    public Link clear() { latencyMillis = 0; jitterMillis = 0; bytesPerSecond = 0; stalled = false; return this; }
  }

  private final EventLoopGroup group = new NioEventLoopGroup(2);
  private final InetSocketAddress target;
  private final Channel server;
  private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();
  private final java.util.List<String> openings = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile ScheduledFuture<?> resetTimer;
  /** Client to server. */
  public final Link up = new Link();
  /** Server to client. */
  public final Link down = new Link();

  public ChaosProxy(InetSocketAddress target) throws InterruptedException {
    this.target = target;
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override protected void initChannel(SocketChannel ch) { accept(ch); }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  public static ChaosProxy to(int port) throws InterruptedException {
    return new ChaosProxy(new InetSocketAddress("127.0.0.1", port));
  }

  public int port() { return ((InetSocketAddress) server.localAddress()).getPort(); }
  public long acceptedConnections() { return accepted.get(); }
  public long resetConnections() { return resets.get(); }
  public int openConnections() { return pairs.size(); }
  /** What each connection's client sent first (up to 24 bytes, as ASCII), in the order they spoke: which protocol it speaks. */
  public java.util.List<String> openings() { return java.util.List.copyOf(openings); }

  /** Resets (RST) every open connection now; returns how many. */
  public int resetAll() {
    int n = 0;
    for (Pair p : pairs) { p.reset(); n++; }
    return n;
  }

  /** Resets every open connection every {@code periodMillis}; 0 stops it. */
  public synchronized void resetEvery(long periodMillis) {
    if (resetTimer != null) resetTimer.cancel(false);
    resetTimer = periodMillis <= 0 ? null
        : group.scheduleAtFixedRate(this::resetAll, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Resets each connection once it has carried {@code bytes} server-to-client bytes (one-shot per connection); 0 disables. */
  public volatile long resetAfterDownBytes;

  private void accept(SocketChannel inbound) {
    accepted.incrementAndGet();
    Pair pair = new Pair(inbound);
    pairs.add(pair);
    inbound.closeFuture().addListener(f -> pair.close());
    new Bootstrap().group(inbound.eventLoop()).channel(NioSocketChannel.class)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new Forward(pair, false))
        .connect(target).addListener((ChannelFutureListener) f -> {
          if (!f.isSuccess()) { pair.reset(); return; }
          pair.outbound = f.channel();
          f.channel().closeFuture().addListener(x -> pair.close());
          inbound.pipeline().addLast(new Forward(pair, true));
          inbound.config().setAutoRead(true);
          f.channel().config().setAutoRead(true);
        });
  }

  private final class Pair {
    final Channel inbound;
    volatile Channel outbound;
    /** Per direction: the time the previous chunk leaves, to keep order and pace the bandwidth. */
    long upNext, downNext;
    long downSeen;
    boolean spoke;

    Pair(Channel inbound) { this.inbound = inbound; }

    void reset() {
      if (!pairs.remove(this)) return;
      resets.incrementAndGet();
      rst(inbound);
      Channel o = outbound;
      if (o != null) rst(o);
    }

    void close() {
      pairs.remove(this);
      inbound.close();
      Channel o = outbound;
      if (o != null) o.close();
    }

    private void rst(Channel c) {
      if (!c.isOpen()) return;
      try { c.config().setOption(ChannelOption.SO_LINGER, 0); } catch (RuntimeException ignored) { }
      c.close();
    }
  }

  private record Chunk(long at, ByteBuf buf, boolean resetAfter) { }

  private final class Forward extends ChannelInboundHandlerAdapter {
    final Pair pair;
    final boolean fromClient;

    final java.util.ArrayDeque<Chunk> queue = new java.util.ArrayDeque<>();

    Forward(Pair pair, boolean fromClient) { this.pair = pair; this.fromClient = fromClient; }

    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      Link link = fromClient ? up : down;
      Channel peer = fromClient ? pair.outbound : pair.inbound;
      int size = buf.readableBytes();
      if (fromClient && !pair.spoke) {
        pair.spoke = true;
        openings.add(buf.toString(buf.readerIndex(), Math.min(24, size), java.nio.charset.StandardCharsets.US_ASCII));
      }
      if (link.stalled || peer == null) {
        link.blackholed.addAndGet(size);
        ReferenceCountUtil.release(buf);
        return;
      }
      long now = System.nanoTime();
      long delay = TimeUnit.MILLISECONDS.toNanos(link.latencyMillis);
      if (link.jitterMillis > 0) delay += TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextLong(link.jitterMillis + 1));
      long bps = link.bytesPerSecond;
      long prev = fromClient ? pair.upNext : pair.downNext;
      long start = Math.max(now + delay, prev);
      long at = bps > 0 ? start + size * 1_000_000_000L / bps : start;
      if (fromClient) pair.upNext = at; else pair.downNext = at;
      boolean resetAfter = false;
      if (!fromClient && resetAfterDownBytes > 0 && pair.downSeen < resetAfterDownBytes) {
        pair.downSeen += size;
        resetAfter = pair.downSeen >= resetAfterDownBytes;
      }
      long wait = at - now;
      // Bandwidth: stop reading while the paced backlog is long, so a capped link pushes back as TCP would.
      if (wait > TimeUnit.MILLISECONDS.toNanos(200) && bps > 0) {
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> { ctx.channel().config().setAutoRead(true); }, wait - TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.NANOSECONDS);
      }
      boolean wasEmpty = queue.isEmpty();
      queue.add(new Chunk(at, buf, resetAfter));
      if (wasEmpty) drain(ctx, link, peer);
    }

    /** Sends every due chunk in arrival order, then waits for the next one: one timer per direction keeps order. */
    private void drain(ChannelHandlerContext ctx, Link link, Channel peer) {
      long now = System.nanoTime();
      boolean wrote = false;
      while (!queue.isEmpty() && queue.peek().at <= now) {
        Chunk c = queue.poll();
        int size = c.buf.readableBytes();
        if (link.stalled) { link.blackholed.addAndGet(size); ReferenceCountUtil.release(c.buf); continue; }
        link.forwarded.addAndGet(size);
        peer.write(c.buf);
        wrote = true;
        if (c.resetAfter) { peer.flush(); pair.reset(); }
      }
      if (wrote) peer.flush();
      if (!queue.isEmpty()) {
        ctx.executor().schedule(() -> drain(ctx, link, peer), queue.peek().at - now, TimeUnit.NANOSECONDS);
      }
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
      for (Chunk c; (c = queue.poll()) != null; ) ReferenceCountUtil.release(c.buf);
      ctx.fireChannelInactive();
    }

    @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) { pair.reset(); }
  }

  @Override public void close() {
    resetEvery(0);
    for (Pair p : pairs) p.close();
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
