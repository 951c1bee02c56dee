package io.peregrine.mcp;

import io.peregrine.completion.Completer;
import io.peregrine.completion.Completion;
import io.peregrine.prompt.Prompt;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;

import java.util.Collections;
import java.util.Map;

/**
 * {@code completion/complete} for prompt arguments ({@code ref/prompt}) and resource-template
 * variables ({@code ref/resource}). An unknown prompt or template, or an argument it does not
 * have, is -32602; a known argument without a completer completes to nothing.
 */
final class CompletionMethods {

    private final McpServer server;
    private final PromptRegistry prompts;
    private final ResourceRegistry resources;
    private final Offload offload;

    CompletionMethods(McpServer server, PromptRegistry prompts, ResourceRegistry resources, Offload offload) {
        this.server = server;
        this.prompts = prompts;
        this.resources = resources;
        this.offload = offload;
    }

    void register(Map<String, McpServer.Method> methods) {
        methods.put("completion/complete", this::complete);
    }

    private static RpcException invalid(String why) {
        return new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params for completion/complete: " + why);
    }

    private boolean complete(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        Map<?, ?> ref = object(p, "ref");
        Map<?, ?> argument = object(p, "argument");
        if (ref == null) {
            throw invalid("missing required object \"ref\"");
        }
        if (argument == null) {
            throw invalid("missing required object \"argument\"");
        }
        Object argName = argument.get("name");
        Object argValue = argument.get("value");
        if (!(argName instanceof String)) {
            throw invalid("\"argument.name\" must be a string");
        }
        if (argValue != null && !(argValue instanceof String)) {
            throw invalid("\"argument.value\" must be a string");
        }
        String name = (String) argName;
        String value = argValue == null ? "" : (String) argValue;
        Map<String, String> context = Collections.emptyMap();
        Map<?, ?> ctx = object(p, "context");
        if (ctx != null && ctx.get("arguments") instanceof Map) {
            context = new java.util.LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) ctx.get("arguments")).entrySet()) {
                if (e.getValue() instanceof String) {
                    context.put((String) e.getKey(), (String) e.getValue());
                }
            }
        }
        Completer completer;
        boolean blocking;
        String what;
        Object type = ref.get("type");
        if ("ref/prompt".equals(type)) {
            Object promptName = ref.get("name");
            if (!(promptName instanceof String)) {
                throw invalid("a ref/prompt needs a string \"name\"");
            }
            Prompt prompt = prompts.prompt((String) promptName);
            if (prompt == null) {
                throw invalid("unknown prompt \"" + promptName + "\" in ref (see prompts/list)");
            }
            if (prompt.argument(name) == null) {
                throw invalid("prompt " + promptName + " has no argument \"" + name + "\"");
            }
            completer = prompt.completer(name);
            blocking = prompt.isBlocking();
            what = "Completing argument " + name + " of prompt " + promptName;
        } else if ("ref/resource".equals(type)) {
            Object uri = ref.get("uri");
            if (!(uri instanceof String)) {
                throw invalid("a ref/resource needs a string \"uri\"");
            }
            ResourceTemplate template = resources.template((String) uri);
            if (template == null) {
                throw invalid("unknown resource template \"" + uri + "\" in ref (see resources/templates/list)");
            }
            if (!template.uriTemplate().variables().contains(name)) {
                throw invalid("resource template " + uri + " has no variable \"" + name + "\" (it has "
                        + template.uriTemplate().variables() + ")");
            }
            completer = template.completer(name);
            blocking = template.isBlocking();
            what = "Completing variable " + name + " of " + uri;
        } else {
            throw invalid("\"ref.type\" must be \"ref/prompt\" or \"ref/resource\", not " + type);
        }
        Map<String, String> resolved = Collections.unmodifiableMap(context);
        offload.run(c, r, m.id(), blocking && completer != null, what, () -> {
            Completion completion = completer == null ? Completion.empty() : completer.complete(value, resolved);
            if (completion == null) {
                completion = Completion.empty();
            }
            Completion done = completion;
            return server.writer().result(c.peer.alloc(), m.id(), g -> {
                g.writeStartObject();
                McpServer.writeResultPrelude(g, s, false);
                g.writeObjectFieldStart("completion");
                g.writeArrayFieldStart("values");
                for (String v : done.values()) {
                    g.writeString(v);
                }
                g.writeEndArray();
                if (done.total() != null) {
                    g.writeNumberField("total", done.total());
                }
                g.writeBooleanField("hasMore", done.hasMore());
                g.writeEndObject();
                if (s.isStateless()) {
                    server.writeServerInfoMeta(g, null);
                }
                g.writeEndObject();
            });
        });
        return false;
    }

    private Map<?, ?> object(Params p, String name) throws RpcException {
        io.netty.buffer.ByteBuf raw = p.object("completion/complete", name);
        return raw == null ? null : (Map<?, ?>) server.tree(raw);
    }
}
