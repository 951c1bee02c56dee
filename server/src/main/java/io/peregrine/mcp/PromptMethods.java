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
import io.peregrine.tool.MissingClientCapabilityException;

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
        r.respond(server.writer().result(c.peer.alloc(), m.id(), g -> {
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
            if (s.isStateless()) {
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
        // A prompt that may ask the client gets its questions' answers (or the means to ask) now,
        // while the request's bytes are still there.
        RequestQuestions questions = prompt.askingHandler() == null ? null : new RequestQuestions(server, c, r, s,
                s.isStateless() ? server.asking().inputsOf(c, p, s, "prompts/get", name, p.object("prompts/get", "arguments")) : null,
                "Prompt " + name);
        offload.run(c, r, m.id(), prompt.isBlocking(), "Prompt " + name, () -> {
            PromptResult result;
            try {
                result = questions == null ? prompt.handler().get(java.util.Collections.unmodifiableMap(arguments))
                        : prompt.askingHandler().get(java.util.Collections.unmodifiableMap(arguments), questions);
            } catch (IllegalArgumentException e) {
                throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid arguments for prompt " + name + ": "
                        + e.getMessage());
            } catch (MissingClientCapabilityException e) {
                throw new RpcException(JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, e.getMessage(), null,
                        Map.of("requiredCapabilities", e.feature().requiredCapabilities()));
            } catch (Exception e) {
                // A handler that asked what the client has not answered owes it the questions, whatever it threw.
                if (questions == null || questions.pendingInputs() == null) {
                    throw e;
                }
                result = null;
            }
            if (questions != null && questions.pendingInputs() != null) {
                return server.asking().inputRequired(c, m.id(), questions.pendingInputs());
            }
            if (result == null) {
                throw new IllegalStateException("the handler returned no result");
            }
            PromptResult filled = result;
            return server.writer().result(c.peer.alloc(), m.id(), g -> {
                g.writeStartObject();
                McpServer.writeResultPrelude(g, s, false);
                if (filled.description() != null) {
                    g.writeStringField("description", filled.description());
                }
                g.writeArrayFieldStart("messages");
                for (PromptMessage message : filled.messages()) {
                    message.writeTo(g);
                }
                g.writeEndArray();
                if (s.isStateless()) {
                    server.writeServerInfoMeta(g, filled.meta());
                } else if (filled.meta() != null) {
                    g.writeFieldName("_meta");
                    JsonTree.write(g, filled.meta());
                }
                g.writeEndObject();
            });
        });
        return false;
    }
}
