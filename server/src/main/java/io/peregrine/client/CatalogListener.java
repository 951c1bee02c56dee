package io.peregrine.client;

import java.util.List;

/**
 * Hears when the client's discovery cache changes: a list was fetched for the first time, or again
 * after the server said it changed ({@code list_changed}, a {@code subscriptions/listen}
 * notification), after its {@code ttlMs} ran out, or after a reconnection. Called on the client's
 * I/O thread: it must not block.
 */
@FunctionalInterface
public interface CatalogListener {

    /** What changed. */
    enum Kind {
        TOOLS,
        RESOURCES,
        RESOURCE_TEMPLATES,
        PROMPTS
    }

    /**
     * @param kind  which list
     * @param items the new list: {@link ToolInfo}, {@link ResourceInfo}, {@link ResourceTemplateInfo} or
     *              {@link PromptInfo} items
     */
    void onChanged(Kind kind, List<?> items);
}
