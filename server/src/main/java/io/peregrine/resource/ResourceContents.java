package io.peregrine.resource;

import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * The contents of one resource as {@code resources/read} returns them: text, or binary data
 * sent as base64. Immutable.
 */
public final class ResourceContents {

    private final String uri;
    private final String mimeType;
    private final String text;
    private final String blob;
    private final Map<String, Object> meta;

    private ResourceContents(String uri, String mimeType, String text, String blob, Map<String, Object> meta) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.mimeType = mimeType;
        this.text = text;
        this.blob = blob;
        this.meta = meta;
    }

    /** Text contents; {@code mimeType} may be null. */
    public static ResourceContents text(String uri, String mimeType, String text) {
        return new ResourceContents(uri, mimeType, Objects.requireNonNull(text, "text"), null, null);
    }

    /** Binary contents, base64-encoded from {@code data}; {@code mimeType} may be null. */
    public static ResourceContents blob(String uri, String mimeType, byte[] data) {
        Objects.requireNonNull(data, "data");
        return new ResourceContents(uri, mimeType, null, Base64.getEncoder().encodeToString(data), null);
    }

    /** Binary contents already base64-encoded. */
    public static ResourceContents blobBase64(String uri, String mimeType, String base64) {
        return new ResourceContents(uri, mimeType, null, Objects.requireNonNull(base64, "base64"), null);
    }

    /** These contents with a {@code _meta} object (a tree of plain values). */
    public ResourceContents withMeta(Map<String, Object> meta) {
        return new ResourceContents(uri, mimeType, text, blob, Objects.requireNonNull(meta, "meta"));
    }

    public String uri() {
        return uri;
    }

    /** The MIME type, or null. */
    public String mimeType() {
        return mimeType;
    }

    /** The text, or null for binary contents. */
    public String text() {
        return text;
    }

    /** The base64 data, or null for text contents. */
    public String blob() {
        return blob;
    }

    public boolean isText() {
        return text != null;
    }

    /** The contents' {@code _meta}, or null. */
    public Map<String, Object> meta() {
        return meta;
    }

    @Override
    public String toString() {
        return "ResourceContents(" + uri + (text != null ? ", text" : ", blob") + ")";
    }
}
