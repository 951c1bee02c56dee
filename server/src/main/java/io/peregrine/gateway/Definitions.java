package io.peregrine.gateway;

import io.peregrine.client.CallToolResult;
import io.peregrine.client.PromptInfo;
import io.peregrine.client.ResourceInfo;
import io.peregrine.client.ResourceTemplateInfo;
import io.peregrine.client.ToolInfo;
import io.peregrine.prompt.Prompt;
import io.peregrine.prompt.PromptArgument;
import io.peregrine.prompt.PromptMessage;
import io.peregrine.prompt.PromptResult;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceContents;
import io.peregrine.resource.ResourceHandler;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.resource.SubscriptionHandler;
import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.Content;
import io.peregrine.tool.DefinitionBuilder;
import io.peregrine.tool.Icon;
import io.peregrine.tool.TaskSupport;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.AsyncToolHandler;
import io.peregrine.tool.ToolResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns what an upstream lists and answers (the client's values) into what the gateway serves
 * (the serving API's values): a federated tool's definition under its federated name, a result's
 * content items, a prompt's messages. Every member the serving API can carry is kept.
 */
final class Definitions {

    private Definitions() {
    }

    static Tool tool(String name, ToolInfo t, Duration timeout, AsyncToolHandler handler) {
        Tool.Builder b = Tool.builder(name)
                .inputSchema(JsonTree.toJson(t.inputSchema().isEmpty() ? Map.of("type", "object") : t.inputSchema()))
                // Forwarded without holding a thread: started on the I/O thread, answered when the upstream answers.
                .blocking(false)
                // The upstream checks the arguments against the same schema; checking twice buys nothing.
                .validateArguments(false)
                .timeout(timeout)
                .taskSupport(taskSupport(t.definition()))
                // A task only: a 2026-07-28 call becomes one when the upstream's does (Upstream#callTool).
                .startsTaskItself(taskSupport(t.definition()) == TaskSupport.REQUIRED)
                .asyncHandler(handler);
        if (t.outputSchema() != null) {
            b.outputSchema(JsonTree.toJson(t.outputSchema()));
        }
        Map<String, Object> a = t.annotations();
        if (!a.isEmpty()) {
            ToolAnnotations.Builder ab = ToolAnnotations.builder();
            if (a.get("title") instanceof String) {
                ab.title((String) a.get("title"));
            }
            if (a.get("readOnlyHint") instanceof Boolean) {
                ab.readOnly((Boolean) a.get("readOnlyHint"));
            }
            if (a.get("destructiveHint") instanceof Boolean) {
                ab.destructive((Boolean) a.get("destructiveHint"));
            }
            if (a.get("idempotentHint") instanceof Boolean) {
                ab.idempotent((Boolean) a.get("idempotentHint"));
            }
            if (a.get("openWorldHint") instanceof Boolean) {
                ab.openWorld((Boolean) a.get("openWorldHint"));
            }
            b.annotations(ab.build());
        }
        common(b, t.title(), t.description(), t.definition());
        return b.build();
    }

    /**
     * The gateway's task support for a federated tool, the upstream's {@code execution.taskSupport}.
     * A task-augmented call of a tool the upstream runs as a task when asked (optional) is a task of
     * the gateway whose body is the call forwarded upstream, so that ownership, {@code tasks/list},
     * status notifications and both eras' shapes are the local server's; a tool the upstream runs
     * only as a task (required) is forwarded as a task of the upstream ({@link Upstream#callTool}).
     */
    static TaskSupport taskSupport(Map<String, Object> definition) {
        Map<String, Object> execution = object(definition.get("execution"));
        Object support = execution != null ? execution.get("taskSupport") : null;
        return "optional".equals(support) ? TaskSupport.OPTIONAL
                : "required".equals(support) ? TaskSupport.REQUIRED : TaskSupport.FORBIDDEN;
    }

    /** The resource {@code r} served at {@code uri} (its own URI, or the one {@link ResourceUris} rewrote it to). */
    static Resource resource(String uri, ResourceInfo r, ResourceHandler handler, SubscriptionHandler subscriptions) {
        Resource.Builder b = Resource.builder(uri, r.name() != null ? r.name() : r.uri()).handler(handler).blocking(true)
                .subscriptions(subscriptions);
        if (r.mimeType() != null) {
            b.mimeType(r.mimeType());
        }
        Object size = r.definition().get("size");
        if (size instanceof Number && ((Number) size).longValue() >= 0) {
            b.size(((Number) size).longValue());
        }
        annotations(r.definition()).ifPresent(b::annotations);
        common(b, r.title(), r.description(), r.definition());
        return b.build();
    }

    /** A completer of one argument or variable, or null when the upstream completes nothing. */
    interface Completers {
        io.peregrine.completion.Completer of(String argument);
    }

    /** The template {@code r} served as {@code uriTemplate} (its own, or the one {@link ResourceUris} rewrote it to). */
    static ResourceTemplate template(String uriTemplate, ResourceTemplateInfo r, ResourceHandler handler,
                                     SubscriptionHandler subscriptions, Completers completers) {
        ResourceTemplate.Builder b = ResourceTemplate.builder(uriTemplate, r.name() != null ? r.name() : r.uriTemplate())
                .handler(handler).blocking(true).subscriptions(subscriptions);
        if (completers != null) {
            for (String variable : io.peregrine.resource.UriTemplate.of(uriTemplate).variables()) {
                b.completion(variable, completers.of(variable));
            }
        }
        if (r.mimeType() != null) {
            b.mimeType(r.mimeType());
        }
        annotations(r.definition()).ifPresent(b::annotations);
        common(b, r.title(), r.description(), r.definition());
        return b.build();
    }

    static Prompt prompt(String name, PromptInfo p, io.peregrine.prompt.AskingPromptHandler handler, Completers completers) {
        Prompt.Builder b = Prompt.builder(name).askingHandler(handler).blocking(true);
        for (PromptInfo.Argument a : p.arguments()) {
            b.argument(a.required() ? PromptArgument.required(a.name(), a.description())
                    : PromptArgument.optional(a.name(), a.description()));
        }
        if (completers != null) {
            for (PromptInfo.Argument a : p.arguments()) {
                b.completion(a.name(), completers.of(a.name()));
            }
        }
        common(b, p.title(), p.description(), p.definition());
        return b.build();
    }

    private static void common(DefinitionBuilder<?> b, String title, String description, Map<String, Object> definition) {
        if (title != null) {
            b.title(title);
        }
        if (description != null) {
            b.description(description);
        }
        for (Object o : list(definition.get("icons"))) {
            if (o instanceof Map && ((Map<?, ?>) o).get("src") instanceof String) {
                Map<?, ?> i = (Map<?, ?>) o;
                List<String> sizes = new ArrayList<>();
                for (Object s : list(i.get("sizes"))) {
                    sizes.add(String.valueOf(s));
                }
                b.icon(Icon.of((String) i.get("src"), str(i.get("mimeType")), sizes, str(i.get("theme"))));
            }
        }
        Map<String, Object> meta = object(definition.get("_meta"));
        if (meta != null && !meta.isEmpty()) {
            b.meta(meta);
        }
    }

    // ------------------------------------------------------------------ answers
    // The URIs an answer carries (contents, resource links, embedded resources) are served as
    // the upstream's catalog is; structuredContent and _meta pass as they are.

    static ToolResult toolResult(CallToolResult r, ResourceUris uris) {
        CallToolResult.Relayed relayed = r.relayed();
        if (relayed != null) {
            // Text, image and audio only: no URI to rewrite or record; passed on as the upstream wrote it.
            Map<String, Object> meta = null;
            if (relayed.meta() != null) {
                try {
                    meta = object(JsonTree.parse(relayed.meta().json()));
                } catch (java.io.IOException e) {
                    meta = null; // checked JSON already: cannot happen
                }
            }
            return ToolResult.relayed(relayed.content(), relayed.structuredContent(), relayed.isError(),
                    meta != null && !meta.isEmpty() ? meta : null);
        }
        ToolResult.Builder b = ToolResult.builder();
        for (Map<String, Object> item : r.content()) {
            b.add(content(item, uris));
        }
        if (r.isError()) {
            b.error(true);
        }
        Map<String, Object> raw = r.asMap();
        if (raw.containsKey("structuredContent") && raw.get("structuredContent") != null) {
            b.structured(raw.get("structuredContent"));
        }
        Map<String, Object> meta = object(raw.get("_meta"));
        if (meta != null && !meta.isEmpty()) {
            b.meta(meta);
        }
        return b.build();
    }

    static io.peregrine.completion.Completion completion(Map<String, Object> result) {
        Map<String, Object> c = object(result.get("completion"));
        if (c == null) {
            return io.peregrine.completion.Completion.empty();
        }
        List<String> values = new ArrayList<>();
        for (Object v : list(c.get("values"))) {
            values.add(String.valueOf(v));
        }
        boolean more = Boolean.TRUE.equals(c.get("hasMore"));
        Integer total = c.get("total") instanceof Number ? ((Number) c.get("total")).intValue() : null;
        if (values.size() > io.peregrine.completion.Completion.MAX_VALUES) {
            return io.peregrine.completion.Completion.of(values);
        }
        return io.peregrine.completion.Completion.of(values, total != null && total >= values.size() ? total : null, more);
    }

    static List<ResourceContents> contents(List<io.peregrine.client.ResourceContents> contents, ResourceUris uris) {
        List<ResourceContents> out = new ArrayList<>();
        for (io.peregrine.client.ResourceContents c : contents) {
            String uri = uris.pointedAt(c.uri());
            out.add(c.text() != null ? ResourceContents.text(uri, c.mimeType(), c.text())
                    : ResourceContents.blobBase64(uri, c.mimeType(), c.blob() != null ? c.blob() : ""));
        }
        return out;
    }

    static PromptResult promptResult(io.peregrine.client.PromptResult r, ResourceUris uris) {
        PromptResult.Builder b = PromptResult.builder();
        if (r.description() != null) {
            b.description(r.description());
        }
        for (io.peregrine.client.PromptResult.Message m : r.messages()) {
            Content c = content(m.content(), uris);
            b.message("assistant".equals(m.role()) ? PromptMessage.assistant(c) : PromptMessage.user(c));
        }
        return b.build();
    }

    /** One content item as sent, its URI served; a kind this server does not know travels as its JSON text. */
    static Content content(Map<String, Object> item, ResourceUris uris) {
        Content plain = io.peregrine.tool.internal.ContentTrees.plain(item);
        if (plain != null) {
            return plain;
        }
        String type = str(item.get("type"));
        Content c;
        if ("resource_link".equals(type) && item.get("uri") instanceof String) {
            String uri = uris.pointedAt((String) item.get("uri"));
            c = Content.resourceLink(uri, str(item.get("name")) != null ? str(item.get("name")) : uri,
                    str(item.get("mimeType")), str(item.get("description")));
        } else if ("resource".equals(type) && object(item.get("resource")) != null
                && object(item.get("resource")).get("uri") instanceof String) {
            Map<String, Object> r = object(item.get("resource"));
            String uri = uris.pointedAt((String) r.get("uri"));
            c = r.get("text") instanceof String
                    ? Content.embeddedText(uri, str(r.get("mimeType")), (String) r.get("text"))
                    : Content.embeddedBlobBase64(uri, str(r.get("mimeType")),
                    String.valueOf(r.getOrDefault("blob", "")));
        } else {
            return Content.text(JsonTree.toJson(item));
        }
        return io.peregrine.tool.internal.ContentTrees.decorated(c, item);
    }

    private static java.util.Optional<Content.Annotations> annotations(Map<String, Object> definition) {
        return io.peregrine.tool.internal.ContentTrees.annotations(definition);
    }

    private static String str(Object o) {
        return o instanceof String ? (String) o : null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : null;
    }

    private static List<?> list(Object o) {
        return o instanceof List ? (List<?>) o : List.of();
    }
}
