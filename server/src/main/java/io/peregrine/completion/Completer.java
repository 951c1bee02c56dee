package io.peregrine.completion;

import java.util.Map;

/**
 * Suggests values for one prompt argument or resource-template variable as the user types.
 * Runs on the connection's I/O thread unless its owner is marked blocking, so keep it quick.
 */
@FunctionalInterface
public interface Completer {

    /**
     * @param value   what the user has typed so far (possibly empty)
     * @param context the other arguments or variables already resolved, or an empty map
     */
    Completion complete(String value, Map<String, String> context) throws Exception;
}
