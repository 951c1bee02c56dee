package io.peregrine.tool;

import java.util.Objects;

/**
 * A tool asked the client for something it did not declare it can do (elicitation, URL-mode
 * elicitation, sampling or roots). Check first with {@link ToolContext#clientSupports}; uncaught,
 * it ends the call with JSON-RPC error {@code -32021} naming the missing capability in
 * {@code data.requiredCapabilities}.
 */
public final class MissingClientCapabilityException extends ClientRequestException {

    private final ClientFeature feature;

    public MissingClientCapabilityException(ClientFeature feature, String message) {
        super(message, 0);
        this.feature = Objects.requireNonNull(feature, "feature");
    }

    public ClientFeature feature() {
        return feature;
    }
}
