package io.peregrine.client;

import java.util.LinkedHashMap;

/**
 * A request's {@code _meta} handed over to the client with the request. A 2026-07-28 request may
 * be sent again in later rounds ({@code input_required}), after its caller is free to change the
 * map it gave, so the client sends a copy of any other map; this one it keeps as it is. Whoever
 * hands one over must not change it once the call is made. The gateway forwards its requests with
 * one of these.
 */
public final class HandedOverMeta extends LinkedHashMap<String, Object> {

    private static final long serialVersionUID = 1L;

    /** @param entries how many entries it will hold, so that it is made the right size at once */
    public HandedOverMeta(int entries) {
        super((int) Math.ceil(entries / 0.75));
    }
}
