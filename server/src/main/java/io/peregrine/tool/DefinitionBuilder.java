package io.peregrine.tool;

import io.peregrine.rpc.JsonTree;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What the builders of {@link Tool}, {@code Resource}, {@code ResourceTemplate} and {@code Prompt}
 * share: the presentation fields of an MCP definition (title, description, icons, {@code _meta})
 * and whether the handler may block. Each setter validates at once and names the value it
 * refuses, so a mistake surfaces where it is made rather than when the server starts.
 *
 * @param <B> the concrete builder, which every setter returns so that calls chain
 */
public abstract class DefinitionBuilder<B extends DefinitionBuilder<B>> {

    private String title;
    private String description;
    private final List<Icon> icons = new ArrayList<>();
    private Map<String, Object> meta;
    private boolean blocking;

    /** @param blockingByDefault what {@link #blocking(boolean)} is until it is called */
    protected DefinitionBuilder(boolean blockingByDefault) {
        this.blocking = blockingByDefault;
    }

    /** A name for people to read, shown by clients instead of the programmatic name. Default: none. */
    public final B title(String title) {
        this.title = requireNonEmpty(title, "title");
        return self();
    }

    /** What it is and when to use it, for people and models. Default: none. */
    public final B description(String description) {
        this.description = requireNonNull(description, "description");
        return self();
    }

    /** Adds an icon clients may show; call once per size or theme. Default: none. */
    public final B icon(Icon icon) {
        icons.add(requireNonNull(icon, "icon"));
        return self();
    }

    /**
     * The definition's {@code _meta}: a tree of plain values ({@code Map} with string keys,
     * {@code List}, {@code String}, numbers, {@code Boolean}, {@code null}), copied here.
     * Default: none.
     *
     * @throws IllegalArgumentException when the tree holds anything else
     */
    public final B meta(Map<String, Object> meta) {
        requireNonNull(meta, "meta");
        try {
            JsonTree.toJson(meta);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("meta : " + e.getMessage()
                    + " (expected: a tree of Map, List, String, Number, Boolean and null)", e);
        }
        this.meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        return self();
    }

    /**
     * Whether the handler may block (file or network I/O, locks, waiting for the client). A
     * blocking handler runs on the bounded executor; a non-blocking one runs on the connection's
     * I/O thread with no thread hop and must return quickly. Default: true for tools, resources
     * and resource templates, the safe choice; false for prompts, which mostly assemble text.
     */
    public final B blocking(boolean blocking) {
        this.blocking = blocking;
        return self();
    }

    /** The title, or null. */
    protected final String title() {
        return title;
    }

    /** The description, or null. */
    protected final String description() {
        return description;
    }

    /** The icons in the order they were added. */
    protected final List<Icon> icons() {
        return List.copyOf(icons);
    }

    /** The {@code _meta} tree, or null. */
    protected final Map<String, Object> meta() {
        return meta;
    }

    protected final boolean isBlocking() {
        return blocking;
    }

    /** This builder as its own type, for setters of subclasses to return. */
    @SuppressWarnings("unchecked")
    protected final B self() {
        return (B) this;
    }

    /** {@code value}, unless it is null or empty; {@code what} names it in the message. */
    protected static String requireNonEmpty(String value, String what) {
        requireNonNull(value, what);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + " : \"\" (expected: a non-empty string)");
        }
        return value;
    }
}
