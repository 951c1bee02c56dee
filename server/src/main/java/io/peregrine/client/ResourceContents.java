package io.peregrine.client;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * One part of what {@code resources/read} returned: text, or binary data sent as Base64.
 *
 * @param uri      the resource the part belongs to
 * @param mimeType its media type, or null
 * @param text     the text, or null for binary data
 * @param blob     the Base64 of binary data, or null for text
 */
public record ResourceContents(String uri, String mimeType, String text, String blob) {

    /** The bytes: the text's UTF-8, or the decoded blob. */
    public byte[] bytes() {
        return text != null ? text.getBytes(StandardCharsets.UTF_8)
                : blob != null ? Base64.getDecoder().decode(blob) : new byte[0];
    }

    static ResourceContents from(Map<String, Object> c) {
        return new ResourceContents(Trees.string(c.get("uri")), Trees.string(c.get("mimeType")),
                Trees.string(c.get("text")), Trees.string(c.get("blob")));
    }
}
