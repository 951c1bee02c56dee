package io.peregrine.gateway;

import io.peregrine.client.McpClientException;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends the requests of one upstream: through its bulkhead, to an endpoint {@link Endpoints}
 * chooses, waiting for the answer. Every failure a caller meets is a JSON-RPC error that names the
 * upstream: {@link JsonRpcError#UPSTREAM_UNAVAILABLE} when no endpoint is reachable or the link
 * broke, {@link JsonRpcError#UPSTREAM_TIMEOUT} when the call timeout passed (the upstream is told
 * to cancel), {@link JsonRpcError#SERVER_OVERLOADED} when the bulkhead stayed full; an error the
 * upstream answered is passed on as it came. Each attempt's outcome is reported to the endpoints.
 */
final class Forwarder {

    private final Upstream upstream;
    private final Endpoints endpoints;
    private final Semaphore bulkhead;

    Forwarder(Upstream upstream, Endpoints endpoints) {
        this.upstream = upstream;
        this.endpoints = endpoints;
        this.bulkhead = new Semaphore(upstream.spec().maxInFlight(), true);
    }

    /** Sends {@code request} and waits for its answer; blocks the calling (worker) thread. */
    <T> T forward(Forward<T> request) throws Exception {
        enter(request.what());
        try {
            Replica replica = endpoints.pick(request.key(), null);
            if (replica == null) {
                throw unavailable(request.what());
            }
            return attempt(replica, request);
        } finally {
            bulkhead.release();
        }
    }

    /** One attempt on {@code replica}. */
    private <T> T attempt(Replica replica, Forward<T> request) throws Exception {
        long started = System.nanoTime();
        replica.enter();
        try {
            Forward.Attempt<T> attempt = request.send().apply(replica.client());
            try {
                T answer = attempt.answer().get();
                endpoints.report(replica, Endpoints.Outcome.OK, System.nanoTime() - started);
                return answer;
            } catch (InterruptedException e) {
                // The gateway's client cancelled, or the server's own deadline passed: the upstream stops too.
                attempt.cancel("cancelled by the gateway's client");
                throw e;
            } catch (ExecutionException | CompletionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                endpoints.report(replica, outcome(cause), System.nanoTime() - started);
                throw translate(cause, request.what());
            } catch (CancellationException e) {
                throw error(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + upstream.name() + ": " + request.what()
                        + " was cancelled");
            }
        } finally {
            replica.exit();
        }
    }

    /** How an attempt that failed with {@code t} ended, as the endpoints' health sees it. */
    static Endpoints.Outcome outcome(Throwable t) {
        if (t instanceof McpClientException) {
            McpClientException e = (McpClientException) t;
            if (e.code() == McpClientException.LOCAL) {
                return e.getCause() instanceof TimeoutException ? Endpoints.Outcome.TIMEOUT : Endpoints.Outcome.LOST;
            }
            return e.code() == JsonRpcError.INTERNAL_ERROR ? Endpoints.Outcome.INTERNAL_ERROR : Endpoints.Outcome.OK;
        }
        return Endpoints.Outcome.LOST;
    }

    private void enter(String what) throws RpcException, InterruptedException {
        UpstreamSpec spec = upstream.spec();
        if (!bulkhead.tryAcquire(spec.maxInFlightWait().toMillis(), TimeUnit.MILLISECONDS)) {
            throw new RpcException(JsonRpcError.SERVER_OVERLOADED, "Upstream " + upstream.name() + " already has "
                    + spec.maxInFlight() + " calls in flight (gateway.upstreams." + upstream.name()
                    + ".max-in-flight); " + what + " was not sent, retry shortly",
                    null, Map.of("upstream", upstream.name(), "retryAfterMs", 100));
        }
    }

    RpcException unavailable(String what) {
        return error(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + upstream.name() + " is unavailable for " + what
                + ": " + upstream.failure());
    }

    private Exception translate(Throwable t, String what) {
        String name = upstream.name();
        if (t instanceof McpClientException) {
            McpClientException e = (McpClientException) t;
            if (e.code() != McpClientException.LOCAL) {
                // The upstream answered with an error: the client sees it as the upstream said it.
                return new RpcException(e.code(), e.getMessage(), null, e.data());
            }
            if (e.getCause() instanceof TimeoutException) {
                return error(JsonRpcError.UPSTREAM_TIMEOUT, "Upstream " + name + " did not answer " + what + " within "
                        + upstream.spec().callTimeout().toMillis() + " ms (gateway.upstreams." + name
                        + ".call-timeout); it was told to cancel");
            }
            return error(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + name + " failed " + what + ": " + e.getMessage());
        }
        return error(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + name + " failed " + what + ": " + t);
    }

    RpcException error(int code, String message) {
        return new RpcException(code, message, null, Map.of("upstream", upstream.name()));
    }
}
