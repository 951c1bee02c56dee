package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.prompt.Prompt;
import io.peregrine.prompt.PromptArgument;
import io.peregrine.prompt.PromptMessage;
import io.peregrine.prompt.PromptResult;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code prompts/list} and {@code prompts/get}. */
final class PromptMethods {

    private final McpServer server;
    private final PromptRegistry prompts;
    private final Offload offload;

    PromptMethods(McpServer server, PromptRegistry prompts, Offload offload) {
        this.server = server;
        this.prompts = prompts;
        this.offload = offload;
    }

    void register(Map<String, McpServer.Method> methods) {
        methods.put("prompts/list", this::list);
        methods.put("prompts/get", this::get);
    }

    private boolean list(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        String after = Cursors.decode(p.string("prompts/list", "cursor"));
        Cursors.Page<Prompt> page = prompts.page(after, server.pageSize());
        r.send(server.writer().result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            McpServer.writeResultPrelude(g, s, true);
            g.writeArrayFieldStart("prompts");
            for (Prompt prompt : page.items) {
                if (server.mayList(c, io.peregrine.policy.Grants.PROMPT, prompt.name())) {
                    g.writeRawValue(prompt.definitionJson());
                }
            }
            g.writeEndArray();
            if (page.nextCursor != null) {
                g.writeStringField("nextCursor", page.nextCursor);
            }
            if (s.isModern()) {
                server.writeServerInfoMeta(g, null);
            }
            g.writeEndObject();
        }));
        return false;
    }

    /** Unknown prompt: -32602, as the prompts chapter of every revision asks. */
    static RpcException unknownPrompt(String name) {
        return new RpcException(JsonRpcError.INVALID_PARAMS, "Unknown prompt: " + name + " (see prompts/list)");
    }

    /** The {@code name → string} object {@code raw}, or an empty map; -32602 for anything but strings. */
    static Map<String, String> stringMap(McpServer server, ByteBuf raw, String method, String what) throws RpcException {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        Object tree = server.tree(raw);
        for (Map.Entry<?, ?> e : ((Map<?, ?>) tree).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params for " + method + ": " + what + " \""
                        + e.getKey() + "\" must be a string, not " + JsonTree.toJson(e.getValue()));
            }
            out.put((String) e.getKey(), (String) e.getValue());
        }
        return out;
    }

    private boolean get(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        String name = p.requireString("prompts/get", "name");
        server.authorize(c, io.peregrine.policy.Grants.PROMPT, name);
        Prompt prompt = prompts.prompt(name);
        if (prompt == null) {
            throw unknownPrompt(name);
        }
        Map<String, String> arguments = stringMap(server, p.object("prompts/get", "arguments"), "prompts/get", "argument");
        List<String> missing = new ArrayList<>();
        for (PromptArgument a : prompt.arguments()) {
            if (a.isRequired() && !arguments.containsKey(a.name())) {
                missing.add(a.name());
            }
        }
        if (!missing.isEmpty()) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params for prompts/get: prompt " + name
                    + " is missing required argument" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing));
        }
        offload.run(c, r, m.id(), prompt.isBlocking(), "Prompt " + name, () -> {
            PromptResult result;
            try {
                result = prompt.handler().get(java.util.Collections.unmodifiableMap(arguments));
            } catch (IllegalArgumentException e) {
                throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid arguments for prompt " + name + ": "
                        + e.getMessage());
            }
            if (result == null) {
                throw new IllegalStateException("the handler returned no result");
            }
            return server.writer().result(c.peer.alloc(), m.id(), g -> {
                g.writeStartObject();
                McpServer.writeResultPrelude(g, s, false);
                if (result.description() != null) {
                    g.writeStringField("description", result.description());
                }
                g.writeArrayFieldStart("messages");
                for (PromptMessage message : result.messages()) {
                    message.writeTo(g);
                }
                g.writeEndArray();
                if (s.isModern()) {
                    server.writeServerInfoMeta(g, result.meta());
                } else if (result.meta() != null) {
                    g.writeFieldName("_meta");
                    JsonTree.write(g, result.meta());
                }
                g.writeEndObject();
            });
        });
        return false;
    }
}
