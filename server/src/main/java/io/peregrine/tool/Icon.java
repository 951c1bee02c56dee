package io.peregrine.tool;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/** An icon a client may show for a tool: a URI (https or data:), with optional MIME type, sizes and theme. */
public final class Icon {

    private final String src;
    private final String mimeType;
    private final List<String> sizes;
    private final String theme;

    private Icon(String src, String mimeType, List<String> sizes, String theme) {
        this.src = Objects.requireNonNull(src, "src");
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

    /** Writes the {@code icons} field of a definition, unless {@code icons} is empty. */
    public static void writeField(JsonGenerator g, List<Icon> icons) throws IOException {
        if (icons.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart("icons");
        for (Icon icon : icons) {
            icon.writeTo(g);
        }
        g.writeEndArray();
    }

    /** Writes this icon as one JSON object. */
    public void writeTo(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("src", src);
        if (mimeType != null) {
            g.writeStringField("mimeType", mimeType);
        }
        if (!sizes.isEmpty()) {
            g.writeArrayFieldStart("sizes");
            for (String s : sizes) {
                g.writeString(s);
            }
            g.writeEndArray();
        }
        if (theme != null) {
            g.writeStringField("theme", theme);
        }
        g.writeEndObject();
    }
}
