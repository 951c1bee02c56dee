package io.peregrine.client;

import java.util.Map;

/**
 * A resource as the server lists it.
 *
 * @param uri         what {@code resources/read} reads it by
 * @param name        its name
 * @param title       a human-readable name, or null
 * @param description what it holds, or null
 * @param mimeType    its media type, or null
 * @param definition  the whole definition as sent
 */
public record ResourceInfo(String uri, String name, String title, String description, String mimeType,
                           Map<String, Object> definition) {

    static ResourceInfo from(Map<String, Object> r) {
        return new ResourceInfo(Trees.string(r.get("uri")), Trees.string(r.get("name")), Trees.string(r.get("title")),
                Trees.string(r.get("description")), Trees.string(r.get("mimeType")), r);
    }
}
