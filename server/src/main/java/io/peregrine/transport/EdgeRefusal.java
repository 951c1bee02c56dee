package io.peregrine.transport;

/**
 * Why a transport refused a message itself, before the protocol layer saw it (an HTTP request
 * without credentials, over the body limit, for a session that ended, ...). The transport tells
 * its {@link MessageListener}, which counts it with the refusals of its own.
 */
public enum EdgeRefusal {
    PARSE_ERROR, INVALID_REQUEST, TOO_LARGE, OVERLOADED, UNAUTHORIZED, FORBIDDEN, SESSION_NOT_FOUND,
    UNSUPPORTED_VERSION, HEADER_MISMATCH
}
