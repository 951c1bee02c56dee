package io.peregrine.tool;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * An icon a client may show for a tool, resource or prompt: a URI ({@code https:} or
 * {@code data:}), with an optional MIME type, sizes and theme.
 */
public final class Icon {

    private final String src;
    private final String mimeType;
    private final List<String> sizes;
    private final String theme;

    private Icon(String src, String mimeType, List<String> sizes, String theme) {
        this.src = requireNonNull(src, "src");
        if (src.isEmpty()) {
            throw new IllegalArgumentException("src : \"\" (expected: an https: or data: URI)");
        }
        this.mimeType = mimeType;
        this.sizes = sizes == null ? List.of() : List.copyOf(sizes);
        if (theme != null && !theme.equals("light") && !theme.equals("dark")) {
            throw new IllegalArgumentException("theme : " + theme + " (expected: light, dark or null)");
        }
        this.theme = theme;
    }

    public static Icon of(String src) {
        return new Icon(src, null, null, null);
    }

    /** @param mimeType, sizes, theme may be null */
    public static Icon of(String src, String mimeType, List<String> sizes, String theme) {
        return new Icon(src, mimeType, sizes, theme);
    }

    public String src() {
        return src;
    }

    /** The MIME type, or null. */
    public String mimeType() {
        return mimeType;
    }

    /** Sizes such as {@code 48x48} or {@code any}; empty when unset. */
    public List<String> sizes() {
        return sizes;
    }

    /** {@code light}, {@code dark}, or null. */
    public String theme() {
        return theme;
    }

    @Override
    public String toString() {
        return "Icon(" + src + ")";
    }
}
