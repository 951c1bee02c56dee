package io.peregrine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.peregrine.demo.EchoTool;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.policy.ApiKeyAuthenticator;
import io.peregrine.policy.ConnectionPolicy;
import io.peregrine.policy.Grants;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.Principal;
import io.peregrine.policy.RateLimit;
import io.peregrine.policy.RateLimiter;
import io.peregrine.policy.Refusal;
import io.peregrine.policy.ResultCache;
import io.peregrine.rpc.Json;
import io.peregrine.tool.CacheScope;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;
import io.peregrine.transport.tcp.TcpServerHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The policy chain on a passing request: each stage alone, the three together, and the whole
 * {@code tools/call} path of a TCP connection with and without policy in front of dispatch.
 *
 * <ul>
 *   <li>{@link #admit}: an authenticated connection admits one more request (principal fixed,
 *   expiry checked, no per-connection limit).</li>
 *   <li>{@link #authorize}: the principal's scopes ({@code tool:fs.* tool:echo}) grant {@code echo}.</li>
 *   <li>{@link #rateLimit}: a token from each configured Bucket4j bucket ({@code buckets}: one,
 *   per principal and tool; or four: global, per principal, per tool, per principal and tool),
 *   sized never to refuse.</li>
 *   <li>{@link #chain}: the three in the order the core runs them.</li>
 *   <li>{@link #cacheHit}: a result-cache lookup that finds its entry (canonical arguments given).</li>
 *   <li>{@link #toolsCallWithPolicy} against {@link #toolsCallWithoutPolicy}: the same
 *   {@code echo} call as {@code ToolsCallBenchmark} (100 B, validation off) on a connection that
 *   authenticated with an API key, with the four buckets, against a server with no policy; the
 *   difference is what policy adds to a call. {@link #toolsCallCacheHit} calls a cacheable echo
 *   whose result is cached.</li>
 * </ul>
 *
 * <pre>{@code
 *   bench/run PolicyChainBenchmark -p era=2025-11-25                (each stage, and the 2025 whole path)
 *   bench/run PolicyChainBenchmark.toolsCall -p era=2026-07-28      (the 2026 whole path)
 * }</pre>
 */
public class PolicyChainBenchmark extends AbstractBenchmark {

    private static final String KEY = "bench-key-0123456789";
    private static final RateLimit HUGE = RateLimit.of(1_000_000_000_000L, Duration.ofHours(1));

    /** The protocol era of the whole-path benchmarks (2026-07-28 requests carry the token in each _meta). */
    @Param({"2025-11-25", "2026-07-28"})
    public String era;

    /**
     * Rate-limit buckets a call takes a token from: 1 (per principal and tool, as
     * config/examples/secure.yaml has it) or 4 (global, per principal, per tool, per principal and tool).
     */
    @Param({"1", "4"})
    public int buckets;

    private PolicyChain chain;
    private ConnectionPolicy connection;
    private Principal principal;
    private ResultCache cache;
    private String canonical;

    private ToolExecutor executor;
    private EmbeddedChannel withPolicy;
    private EmbeddedChannel withoutPolicy;
    private byte[] request;
    private byte[] cachedRequest;

    @Setup
    public void setUp() throws Exception {
        chain = PolicyChain.builder()
                .authenticator("tcp", ApiKeyAuthenticator.builder().key("alice", KEY, List.of("tool:fs.*", "tool:echo",
                        "tool:cached")).build())
                .rateLimiter(buckets == 1 ? RateLimiter.builder().perPrincipalTool("*", HUGE).build()
                        : RateLimiter.builder().global(HUGE).perPrincipal(HUGE).perTool("*", HUGE)
                        .perPrincipalTool("*", HUGE).build())
                .build();
        connection = chain.open("tcp", "bench");
        principal = connection.admit("Bearer " + KEY, null);
        cache = chain.cache();
        canonical = "{\"message\":\"" + message(100) + "\"}";
        ResultCache.Lookup first = cache.lookup("echo", null, canonical, Duration.ofHours(1));
        cache.complete(first, ToolResult.text("x"));

        executor = new ToolExecutor(4, false);
        boolean stateless = era.equals("2026-07-28");
        String msg = message(100);
        request = utf8(withToken(toolsCallJson(msg, stateless), stateless) + "\n");
        cachedRequest = utf8(withToken(toolsCallJson(msg, stateless).replace("\"name\":\"echo\"", "\"name\":\"cached\""), stateless) + "\n");
        withPolicy = channel(chain, stateless);
        withoutPolicy = channel(null, stateless);
        expect(withPolicy, request);
        expect(withoutPolicy, utf8(toolsCallJson(msg, stateless) + "\n"));
        expect(withPolicy, cachedRequest);
    }

    private static String withToken(String json, boolean stateless) {
        return stateless ? json.replace("\"io.modelcontextprotocol/protocolVersion\"",
                "\"io.peregrine/authorization\":\"Bearer " + KEY + "\",\"io.modelcontextprotocol/protocolVersion\"") : json;
    }

    private EmbeddedChannel channel(PolicyChain policy, boolean stateless) {
        McpServer core = new McpServer(Json.DEFAULT, new ServerInfo("bench", "1", null), executor,
                new McpServer.Settings(256, 100, 30_000, false));
        core.tools().add(EchoTool.create());
        core.tools().add(Tool.builder("cached").blocking(false).validateArguments(false)
                .annotations(ToolAnnotations.builder().readOnly(true).idempotent(true).build())
                .cacheable(Duration.ofHours(1), CacheScope.PUBLIC)
                .handler((args, ctx) -> ToolResult.text(args.string("message"))).build());
        if (policy != null) {
            core.policy(policy);
        }
        EmbeddedChannel ch = ToolsCallBenchmark.tcpChannel(new TcpServerHandler(core));
        if (!stateless) {
            String auth = policy == null ? "" : ",\"_meta\":{\"io.peregrine/authorization\":\"Bearer " + KEY + "\"}";
            expect(ch, utf8("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                    + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}" + auth + "}}\n"));
            ToolsCallBenchmark.deliver(ch, ToolsCallBenchmark.read(ch, utf8("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")));
        }
        return ch;
    }

    /** Sends one request and checks that it was answered with a result, not an error. */
    private static void expect(EmbeddedChannel ch, byte[] line) {
        ToolsCallBenchmark.deliver(ch, ToolsCallBenchmark.read(ch, line));
        ch.checkException();
        ByteBuf out = ch.readOutbound();
        if (out == null) {
            throw new IllegalStateException("no response");
        }
        String text = out.toString(StandardCharsets.UTF_8);
        out.release();
        if (!text.contains("\"result\"") || text.contains("\"error\"")) {
            throw new IllegalStateException("not a result: " + text);
        }
    }

    @Benchmark
    public Principal admit() throws Refusal {
        return connection.admit(null, null);
    }

    @Benchmark
    public Refusal authorize() {
        return chain.authorize(principal, "tcp", Grants.TOOL, "echo");
    }

    @Benchmark
    public Refusal rateLimit() {
        return chain.acquire(principal, "tcp", "echo");
    }

    @Benchmark
    public Refusal chain() throws Refusal {
        Principal p = connection.admit(null, null);
        Refusal r = chain.authorize(p, "tcp", Grants.TOOL, "echo");
        return r != null ? r : chain.acquire(p, "tcp", "echo");
    }

    @Benchmark
    public boolean cacheHit() {
        return cache.lookup("echo", null, canonical, Duration.ofHours(1)).isLeader();
    }

    @Benchmark
    public int toolsCallWithPolicy() {
        return call(withPolicy, request);
    }

    @Benchmark
    public int toolsCallWithoutPolicy() {
        return call(withoutPolicy, request);
    }

    @Benchmark
    public int toolsCallCacheHit() {
        return call(withPolicy, cachedRequest);
    }

    private static int call(EmbeddedChannel ch, byte[] line) {
        ToolsCallBenchmark.deliver(ch, ToolsCallBenchmark.read(ch, line));
        ByteBuf out = ch.readOutbound();
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @TearDown
    public void tearDown() {
        expect(withPolicy, request);
        withPolicy.finishAndReleaseAll();
        withoutPolicy.finishAndReleaseAll();
        executor.close();
    }
}
