package io.peregrine.gateway;

import io.peregrine.client.PeregrineClient;

import java.util.concurrent.CompletableFuture;

/**
 * One request the gateway forwards to an upstream: what it is (for errors and logs), whether it
 * is safe to send more than once, and how to send it on a link.
 *
 * @param method     its JSON-RPC method
 * @param target     what it names, as errors show it after the method: a tool, a prompt, a URI
 * @param tool       the upstream's name of the tool for {@code tools/call}, otherwise null
 * @param idempotent whether sending it twice does no harm (reads, lists, tools hinted read-only or idempotent)
 * @param key        the call's affinity key (a principal, a session), or null
 * @param timeoutMillis what remains of the caller's own deadline ({@link Long#MAX_VALUE}: none); the
 *                   upstream's call-timeout bounds it too
 * @param sender     sends it on a link and gives back the attempt
 */
record Forward<T>(String method, String target, String tool, boolean idempotent, String key,
                  long timeoutMillis, Sender<T> sender) {

    /** The request as errors show it, e.g. {@code tools/call get_forecast}: built when an error needs it. */
    String what() {
        return method + " " + target;
    }

    /** Sends the request on a link, with {@code meta} (the remaining deadline) in its {@code _meta} where it can. */
    interface Sender<T> {
        Attempt<T> send(PeregrineClient client, java.util.Map<String, Object> meta);
    }

    /** One sending of a request on one link. */
    interface Attempt<T> {
        /** Completes with the answer, or with the failure. */
        CompletableFuture<T> answer();

        /** Asks the upstream to stop (a {@code notifications/cancelled} for a sent request). */
        void cancel(String reason);

        static <T> Attempt<T> of(CompletableFuture<T> answer, java.util.function.Consumer<String> cancel) {
            return new Attempt<>() {
                @Override
                public CompletableFuture<T> answer() {
                    return answer;
                }

                @Override
                public void cancel(String reason) {
                    cancel.accept(reason);
                }
            };
        }
    }
}
