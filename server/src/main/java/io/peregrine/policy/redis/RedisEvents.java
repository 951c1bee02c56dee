package io.peregrine.policy.redis;

/**
 * What a {@link RedisStore} tells whoever counts its work (the server's metrics): every command
 * Redis answered, every failure the store saw, every decision made without Redis. Called on
 * Lettuce's and the store's threads; implementations must be quick and must not block.
 */
public interface RedisEvents {

    /** Counts nothing. */
    RedisEvents NONE = new RedisEvents() {
    };

    /** What a failure was. */
    enum Failure {
        /** No answer within {@code redis.timeout}: a hung or overloaded Redis. */
        TIMEOUT,
        /** Not connected: the command was refused at once, Lettuce reconnecting. */
        CONNECTION,
        /** Redis answered with an error (a script error, an ACL refusal, ...). */
        REPLY,
        /** Anything else. */
        OTHER
    }

    /**
     * Redis answered {@code command} (its name as Redis spells it: {@code GET}, {@code EVAL}, ...)
     * {@code nanos} after it was written, with an error reply or not.
     */
    default void answered(String command, long nanos, boolean error) {
    }

    /** An operation of the store failed without an answer, as {@code failure}. */
    default void failed(Failure failure) {
    }

    /** A rate-limit decision was made without Redis, by the failure mode. */
    default void decidedWithoutRedis() {
    }
}
