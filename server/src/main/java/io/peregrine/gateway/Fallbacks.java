package io.peregrine.gateway;

import io.peregrine.tool.Content;
import io.peregrine.tool.ToolArguments;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolResult;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Answers a tool's call when its upstream cannot ({@link UpstreamFailure}: breaker open, no
 * endpoint, every attempt failed, deadline passed) with what {@code fallback.<tool>.*} says: a
 * static result, or another upstream's tool. The result carries
 * {@code _meta["io.peregrine/fallback"]}: the upstream that failed, why, and what answered, so that
 * clients can tell it from the real thing.
 */
final class Fallbacks {

    /** The {@code _meta} key that marks a fallback's result. */
    static final String META_FALLBACK = "io.peregrine/fallback";

    private Fallbacks() {
    }

    /**
     * The fallback's result for the tool {@code tool} of {@code upstream}: completes with null when
     * it has none (the failure then goes to the caller as it is).
     */
    static CompletableFuture<ToolResult> answer(Upstream upstream, String tool, ToolArguments arguments,
                                                ToolContext context, UpstreamFailure why,
                                                Function<String, Upstream> peers, ResilienceEvents events) {
        ResilienceSpec.Fallback fallback = upstream.spec().resilience().fallbacks().get(tool);
        if (fallback == null) {
            return CompletableFuture.completedFuture(null);
        }
        Map<String, Object> mark = new LinkedHashMap<>();
        mark.put("upstream", upstream.name());
        mark.put("reason", why.reason().label());
        mark.put("error", why.getMessage());
        if (fallback.text() != null) {
            mark.put("source", "static");
            events.fallback(upstream.name(), tool, why.reason().label());
            return CompletableFuture.completedFuture(marked(fallback.isError() ? ToolResult.error(fallback.text())
                    : ToolResult.text(fallback.text()), mark));
        }
        Upstream other = peers.apply(fallback.upstream());
        if (other == null || other == upstream) {
            return CompletableFuture.completedFuture(null);
        }
        String otherTool = fallback.tool() != null ? fallback.tool() : tool;
        mark.put("source", other.name() + "/" + otherTool);
        return other.callTool(otherTool, arguments, context, false).thenApply(result -> {
            events.fallback(upstream.name(), tool, why.reason().label());
            return marked(result, mark);
        });
    }

    private static ToolResult marked(ToolResult r, Map<String, Object> mark) {
        ToolResult.Builder b = ToolResult.builder();
        for (Content c : r.content()) {
            b.add(c);
        }
        b.error(r.isError());
        if (r.hasStructuredContent()) {
            b.structured(r.structuredContent());
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        if (r.meta() != null) {
            meta.putAll(r.meta());
        }
        meta.put(META_FALLBACK, mark);
        b.meta(meta);
        return b.build();
    }
}
