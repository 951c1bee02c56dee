package io.peregrine.mcp;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.Subscription;
import io.peregrine.client.SubscriptionFilter;
import io.peregrine.resource.Resource;
import io.peregrine.resource.SubscriptionHandler;
import io.peregrine.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A resource with a {@link SubscriptionHandler} on a real server, its clients of both eras over
 * TCP: the handler hears the first subscriber and the last one's going, whatever the order in
 * which subscriptions are made, cancelled and completed. The test completes each of the handler's
 * subscriptions itself, so what happens while one is on its way is seen.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SubscriptionHandlerTest {

    private static final String URI = "test://followed/feed";

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final BlockingQueue<CompletableFuture<Void>> asked = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
    private Peregrine server;

    @BeforeEach
    void start() throws Exception {
        SubscriptionHandler followed = new SubscriptionHandler() {
            @Override
            public CompletableFuture<Void> subscribe(String uri) {
                calls.add("subscribe " + uri);
                CompletableFuture<Void> f = new CompletableFuture<>();
                asked.add(f);
                return f;
            }

            @Override
            public void unsubscribe(String uri) {
                calls.add("unsubscribe " + uri);
            }
        };
        server = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO)
                .resource(Resource.builder(URI, "feed").text("news").subscriptions(followed).build())
                .build();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        server.close();
    }

    private PeregrineClient client(String version) throws Exception {
        PeregrineClient c = PeregrineClient.builder().protocolVersion(version).requestTimeout(Duration.ofSeconds(20))
                .address(server.addresses().tcp()).connect();
        closing.add(c);
        return c;
    }

    private CompletableFuture<Void> nextAsked() throws InterruptedException {
        CompletableFuture<Void> f = asked.poll(20, TimeUnit.SECONDS);
        assertThat(f).as("the handler was asked to subscribe").isNotNull();
        return f;
    }

    @Test
    void subscribersWaitForTheOneSubscriptionAndTheLastToGoEndsIt() throws Exception {
        PeregrineClient one = client("2025-11-25");
        PeregrineClient two = client("2025-11-25");
        CompletableFuture<Map<String, Object>> first = one.request("resources/subscribe", Map.of("uri", URI));
        CompletableFuture<Void> subscribing = nextAsked();
        CompletableFuture<Map<String, Object>> second = two.request("resources/subscribe", Map.of("uri", URI));
        // Answered only once the handler subscribed: the second waits for the same subscription.
        one.request("ping", Map.of()).get(20, TimeUnit.SECONDS);
        two.request("ping", Map.of()).get(20, TimeUnit.SECONDS);
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        subscribing.complete(null);
        first.get(20, TimeUnit.SECONDS);
        second.get(20, TimeUnit.SECONDS);
        assertThat(calls).containsExactly("subscribe " + URI);

        List<String> heard = new CopyOnWriteArrayList<>();
        Subscription listening = client("2026-07-28").listen(SubscriptionFilter.resources(URI),
                (method, params) -> heard.add(method));
        assertThat(listening.acknowledged().get(20, TimeUnit.SECONDS).get("resourceSubscriptions")).isEqualTo(List.of(URI));
        server.resources().updated(URI);
        Await.until(() -> heard.size() == 1, "the stream hears the update");

        one.request("resources/unsubscribe", Map.of("uri", URI)).get(20, TimeUnit.SECONDS);
        two.close();
        listening.close();
        Await.until(() -> calls.size() == 2, "the last holder's going unsubscribes");
        assertThat(calls).containsExactly("subscribe " + URI, "unsubscribe " + URI);
        assertThat(asked).isEmpty();
    }

    @Test
    void aHolderThatGoesWhileTheSubscriptionIsMadeIsReleasedOnceItIsMade() throws Exception {
        PeregrineClient leaving = client("2025-11-25");
        leaving.request("resources/subscribe", Map.of("uri", URI));
        CompletableFuture<Void> subscribing = nextAsked();
        PeregrineClient stateless = client("2026-07-28");
        Subscription cancelled = stateless.listen(SubscriptionFilter.resources(URI), (m, p) -> { });
        stateless.request("resources/list", Map.of()).get(20, TimeUnit.SECONDS); // the listen reached the server
        leaving.close();
        cancelled.close();

        subscribing.complete(null);
        Await.until(() -> calls.size() == 2, "the subscription made for nobody is released");
        assertThat(calls).containsExactly("subscribe " + URI, "unsubscribe " + URI);

        // The next subscriber starts afresh.
        client("2025-11-25").request("resources/subscribe", Map.of("uri", URI));
        nextAsked().complete(null);
        assertThat(calls).containsExactly("subscribe " + URI, "unsubscribe " + URI, "subscribe " + URI);
    }

    @Test
    void aRefusedSubscriptionCountsNobody() throws Exception {
        PeregrineClient session = client("2025-11-25");
        CompletableFuture<Map<String, Object>> refused = session.request("resources/subscribe", Map.of("uri", URI));
        PeregrineClient stateless = client("2026-07-28");
        Subscription stream = stateless.listen(SubscriptionFilter.resources(URI), (m, p) -> { });
        CompletableFuture<Void> subscribing = nextAsked();
        stateless.request("resources/list", Map.of()).get(20, TimeUnit.SECONDS); // the listen reached the server
        session.request("ping", Map.of()).get(20, TimeUnit.SECONDS); // and so did the subscribe, whichever came first
        subscribing.completeExceptionally(new io.peregrine.rpc.RpcException(-32050, "not now"));
        assertThat(refused).failsWithin(Duration.ofSeconds(20)).withThrowableThat().withMessageContaining("not now");
        assertThat(stream.acknowledged().get(20, TimeUnit.SECONDS).get("resourceSubscriptions")).isEqualTo(List.of());

        session.request("resources/subscribe", Map.of("uri", URI));
        nextAsked().complete(null);
        assertThat(calls).containsExactly("subscribe " + URI, "subscribe " + URI);
    }
}
