package io.peregrine.transport;

import java.util.Optional;

/**
 * Whether a socket transport is reading from a connection: the state back-pressure switches
 * (its channel's autoRead), read where it is kept rather than inferred from timing.
 */
public final class PeerReading {

    private PeerReading() {
    }

    /** The channel's autoRead for a socket peer (TCP, WebSocket); empty for a peer that is not one (stdio). */
    public static Optional<Boolean> of(Peer peer) {
        if (peer instanceof PeerHandler handler) {
            return Optional.of(handler.context().channel().config().isAutoRead());
        }
        return Optional.empty();
    }
}
