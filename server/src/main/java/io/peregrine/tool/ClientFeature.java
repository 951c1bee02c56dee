package io.peregrine.tool;

import java.util.Map;

/** What a client may declare it can do for a server, in its {@code capabilities}. */
public enum ClientFeature {

    /** {@code elicitation} with form mode: an empty {@code elicitation} object means form mode too. */
    ELICITATION_FORM("elicitation", "form"),
    /** {@code elicitation.url} (2025-11-25 and later). */
    ELICITATION_URL("elicitation", "url"),
    /** {@code sampling}. */
    SAMPLING("sampling", null),
    /** {@code roots}. */
    ROOTS("roots", null);

    /**
     * Where a request names, in {@code _meta}, the capabilities of the client on whose behalf it is
     * made, when that is not the client that sent it: a gateway's upstream session is shared by all
     * the gateway's clients, so each forwarded call names its own client's, and the server narrows
     * the session's capabilities to them for that call.
     */
    public static final String META_CALLER_CAPABILITIES = "io.peregrine/clientCapabilities";

    private final String capability;
    private final String mode;

    ClientFeature(String capability, String mode) {
        this.capability = capability;
        this.mode = mode;
    }

    /** The top-level capability name: {@code elicitation}, {@code sampling} or {@code roots}. */
    public String capability() {
        return capability;
    }

    /** Whether {@code capabilities} (a client's declaration as a JSON tree) includes this feature. */
    public boolean isDeclaredIn(Map<String, Object> capabilities) {
        Object declared = capabilities.get(capability);
        if (!(declared instanceof Map)) {
            return false;
        }
        if (mode == null) {
            return true;
        }
        Map<?, ?> modes = (Map<?, ?>) declared;
        if (modes.get(mode) instanceof Map) {
            return true;
        }
        // For backward compatibility an elicitation object naming neither mode means form mode.
        return this == ELICITATION_FORM && !modes.containsKey("form") && !modes.containsKey("url");
    }

    /** The smallest declaration that would include this feature, for error data. */
    public Map<String, Object> requiredCapabilities() {
        return mode == null ? Map.of(capability, Map.of()) : Map.of(capability, Map.of(mode, Map.of()));
    }

    @Override
    public String toString() {
        return mode == null ? capability : capability + "." + mode;
    }

    /**
     * The capabilities object declaring exactly the features {@code supported} accepts, e.g.
     * {@code {"elicitation":{"form":{}},"sampling":{}}}.
     */
    public static Map<String, Object> declaration(java.util.function.Predicate<ClientFeature> supported) {
        Map<String, Object> declared = new java.util.LinkedHashMap<>();
        for (ClientFeature f : values()) {
            if (!supported.test(f)) {
                continue;
            }
            if (f.mode == null) {
                declared.put(f.capability, Map.of());
            } else {
                @SuppressWarnings("unchecked")
                Map<String, Object> modes = (Map<String, Object>) declared.computeIfAbsent(f.capability,
                        c -> new java.util.LinkedHashMap<String, Object>());
                modes.put(f.mode, Map.of());
            }
        }
        return declared;
    }
}
