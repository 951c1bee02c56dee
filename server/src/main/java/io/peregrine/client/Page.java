package io.peregrine.client;

import java.util.List;

/**
 * One page of a list the server paginates.
 *
 * @param items      what this page holds
 * @param nextCursor the cursor of the next page, or null on the last
 * @param ttlMs      how long the server says the page stays fresh (2026-07-28), or null when it said nothing
 */
public record Page<T>(List<T> items, String nextCursor, Long ttlMs) {

    public Page {
        items = List.copyOf(items);
    }
}
