package io.peregrine.loadtest;

/**
 * Responses that did not count as completed requests, by why. None of them is timed.
 *
 * @param errorResponses JSON-RPC error responses to our requests
 * @param mismatches     responses whose id was not that of the oldest request in flight, or that
 *                       arrived when none was
 * @param malformed      messages that are neither a result nor an error response
 * @param lost           requests in flight on a connection that closed under them
 * @param outsideWindow  all of the above before or after the measured window (warm-up, or the
 *                       responses that arrive while the run stops); not included in {@link #total()}
 */
public record ErrorCounts(long errorResponses, long mismatches, long malformed, long lost, long outsideWindow) {

    /** No errors. */
    public static final ErrorCounts NONE = new ErrorCounts(0, 0, 0, 0, 0);

    /** Errors in the measured window. */
    public long total() {
        return errorResponses + mismatches + malformed + lost;
    }

    /** The sum of these counts and {@code other}'s. */
    public ErrorCounts plus(ErrorCounts other) {
        return new ErrorCounts(errorResponses + other.errorResponses, mismatches + other.mismatches,
                malformed + other.malformed, lost + other.lost, outsideWindow + other.outsideWindow);
    }
}
