package io.peregrine.client;

import java.util.Map;

/**
 * A resource template as the server lists it: a family of resources named by an RFC 6570 URI template.
 *
 * @param uriTemplate the template, e.g. {@code file:///{path}}
 * @param name        its name
 * @param title       a human-readable name, or null
 * @param description what its resources hold, or null
 * @param mimeType    their media type, or null
 * @param definition  the whole definition as sent
 */
public record ResourceTemplateInfo(String uriTemplate, String name, String title, String description, String mimeType,
                                   Map<String, Object> definition) {

    static ResourceTemplateInfo from(Map<String, Object> r) {
        return new ResourceTemplateInfo(Trees.string(r.get("uriTemplate")), Trees.string(r.get("name")),
                Trees.string(r.get("title")), Trees.string(r.get("description")), Trees.string(r.get("mimeType")), r);
    }
}
