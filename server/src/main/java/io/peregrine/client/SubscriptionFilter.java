package io.peregrine.client;

import java.util.List;
import java.util.Objects;

/**
 * The notifications a {@link Subscription} asks for.
 *
 * @param toolsListChanged     {@code notifications/tools/list_changed}
 * @param promptsListChanged   {@code notifications/prompts/list_changed}
 * @param resourcesListChanged {@code notifications/resources/list_changed}
 * @param resourceUris         {@code notifications/resources/updated} for these URIs
 */
public record SubscriptionFilter(boolean toolsListChanged, boolean promptsListChanged, boolean resourcesListChanged,
                                 List<String> resourceUris) {

    public SubscriptionFilter {
        resourceUris = List.copyOf(Objects.requireNonNull(resourceUris, "resourceUris"));
    }

    /** Every list change, and updates of these resources. */
    public static SubscriptionFilter everything(String... resourceUris) {
        return new SubscriptionFilter(true, true, true, List.of(resourceUris));
    }

    /** Updates of these resources only. */
    public static SubscriptionFilter resources(String... resourceUris) {
        return new SubscriptionFilter(false, false, false, List.of(resourceUris));
    }

    /** Whether a notification of {@code method} about {@code uri} (null for none) is one asked for. */
    boolean wants(String method, String uri) {
        switch (method) {
            case "notifications/tools/list_changed":
                return toolsListChanged;
            case "notifications/prompts/list_changed":
                return promptsListChanged;
            case "notifications/resources/list_changed":
                return resourcesListChanged;
            case "notifications/resources/updated":
                return uri != null && resourceUris.contains(uri);
            default:
                return false;
        }
    }
}
