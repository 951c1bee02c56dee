package io.peregrine.tool.internal;

import io.peregrine.tool.Content;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Content items read from JSON trees, as another MCP server sent them. */
public final class ContentTrees {

    private ContentTrees() {
    }

    /**
     * The {@code text}, {@code image} or {@code audio} item {@code item} as content, with its
     * annotations and {@code _meta}; null for any other type.
     */
    public static Content plain(Map<String, Object> item) {
        String type = str(item.get("type"));
        Content c;
        if ("text".equals(type)) {
            c = Content.text(String.valueOf(item.getOrDefault("text", "")));
        } else if ("image".equals(type)) {
            c = Content.imageBase64(String.valueOf(item.getOrDefault("data", "")), str(item.get("mimeType")));
        } else if ("audio".equals(type)) {
            c = Content.audioBase64(String.valueOf(item.getOrDefault("data", "")), str(item.get("mimeType")));
        } else {
            return null;
        }
        return decorated(c, item);
    }

    /** {@code c} with the annotations and {@code _meta} that {@code item} carries. */
    public static Content decorated(Content c, Map<String, Object> item) {
        Optional<Content.Annotations> a = annotations(item);
        if (a.isPresent()) {
            c = c.annotated(a.get());
        }
        Map<String, Object> meta = object(item.get("_meta"));
        if (meta != null && !meta.isEmpty()) {
            c = c.withMeta(meta);
        }
        return c;
    }

    /** The {@code annotations} of {@code holder}, when it has valid ones. */
    public static Optional<Content.Annotations> annotations(Map<String, Object> holder) {
        Map<String, Object> a = object(holder.get("annotations"));
        if (a == null || a.isEmpty()) {
            return Optional.empty();
        }
        List<String> audience = new ArrayList<>();
        Object listed = a.get("audience");
        if (listed instanceof List) {
            for (Object o : (List<?>) listed) {
                audience.add(String.valueOf(o));
            }
        }
        Double priority = a.get("priority") instanceof Number ? ((Number) a.get("priority")).doubleValue() : null;
        try {
            return Optional.of(Content.Annotations.of(audience, priority, str(a.get("lastModified"))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String str(Object o) {
        return o instanceof String ? (String) o : null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : null;
    }
}
