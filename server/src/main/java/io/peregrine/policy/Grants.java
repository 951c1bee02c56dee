package io.peregrine.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a principal may call, parsed once from its scopes. A scope is {@code kind:name}, with
 * kinds {@code tool}, {@code resource} and {@code prompt}; the name may end in {@code *} to cover
 * every name with that prefix ({@code tool:fs.*}, {@code tool:*}); the scope {@code *} covers
 * everything. Other scopes are kept but grant nothing here.
 *
 * <p>A check looks the name up in a hash set and then tries the few prefixes, so it allocates
 * nothing: names are checked as given, on the final name a tool is served under.
 */
public final class Grants {

    /** Kind of scope naming tools. */
    public static final String TOOL = "tool";
    /** Kind of scope naming resources (by URI). */
    public static final String RESOURCE = "resource";
    /** Kind of scope naming prompts. */
    public static final String PROMPT = "prompt";

    /** Everything. */
    public static final Grants ALL = new Grants(Set.of("*"));
    /** Nothing. */
    public static final Grants NONE = new Grants(Set.of());

    private static final class Kind {
        final Set<String> exact = new HashSet<>();
        final List<String> prefixes = new ArrayList<>();
        boolean any;
    }

    private final Set<String> scopes;
    private final boolean all;
    private final Map<String, Kind> kinds = new HashMap<>();

    private Grants(Collection<String> scopes) {
        Set<String> kept = new LinkedHashSet<>();
        boolean everything = false;
        for (String raw : scopes) {
            String scope = raw.trim();
            if (scope.isEmpty()) {
                continue;
            }
            kept.add(scope);
            if (scope.equals("*")) {
                everything = true;
                continue;
            }
            int colon = scope.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            Kind kind = kinds.computeIfAbsent(scope.substring(0, colon), k -> new Kind());
            String name = scope.substring(colon + 1);
            if (name.equals("*")) {
                kind.any = true;
            } else if (name.endsWith("*")) {
                kind.prefixes.add(name.substring(0, name.length() - 1));
            } else {
                kind.exact.add(name);
            }
        }
        this.scopes = Set.copyOf(kept);
        this.all = everything;
    }

    /** Grants from a list of scopes. */
    public static Grants of(Collection<String> scopes) {
        return scopes.isEmpty() ? NONE : new Grants(scopes);
    }

    /** Grants from a space-separated scope string, as OAuth's {@code scope} claim carries them. */
    public static Grants parse(String spaceSeparated) {
        if (spaceSeparated == null || spaceSeparated.isBlank()) {
            return NONE;
        }
        return new Grants(List.of(spaceSeparated.trim().split("\\s+")));
    }

    /** Whether {@code name} of {@code kind} ({@link #TOOL}, {@link #RESOURCE}, {@link #PROMPT}) is granted. */
    public boolean permits(String kind, String name) {
        if (all) {
            return true;
        }
        Kind k = kinds.get(kind);
        if (k == null) {
            return false;
        }
        if (k.any || k.exact.contains(name)) {
            return true;
        }
        List<String> prefixes = k.prefixes;
        for (int i = 0, n = prefixes.size(); i < n; i++) {
            if (name.startsWith(prefixes.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the tool {@code name} is granted. */
    public boolean permitsTool(String name) {
        return permits(TOOL, name);
    }

    /** The scope that grants {@code name} of {@code kind}, as a refusal names it. */
    public static String scopeFor(String kind, String name) {
        return kind + ":" + name;
    }

    /** The scopes these grants were made from. */
    public Set<String> scopes() {
        return scopes;
    }

    @Override
    public String toString() {
        return String.join(" ", scopes);
    }
}
