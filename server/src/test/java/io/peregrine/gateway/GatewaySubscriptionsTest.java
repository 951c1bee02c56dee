package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.Subscription;
import io.peregrine.client.SubscriptionFilter;
import io.peregrine.mcp.McpObserver;
import io.peregrine.mcp.ObservedRequest;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceContents;
import io.peregrine.resource.SubscriptionHandler;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;
import io.peregrine.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Resource subscriptions through the gateway, with real parts: an upstream Peregrine in this
 * process with a resource whose contents the test changes, a gateway Peregrine federating it over
 * TCP, and clients of both eras. Each upstream counts the {@code resources/subscribe} and
 * {@code resources/unsubscribe} requests it accepts (its gateway link speaks 2025-11-25 unless said).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewaySubscriptionsTest {

    private static final String WATCHED = "test://watched/counter";
    private static final String REFUSED = "test://watched/refused";
    private static final String GATED = "test://watched/gated";

    private final GatewayFixture fixture = new GatewayFixture();
    private final List<Watched> upstreams = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        fixture.close();
        for (Watched w : upstreams) {
            w.server.close();
        }
    }

    /**
     * An upstream Peregrine: the watched resource, one whose subscriptions it refuses, and one whose
     * subscriptions are made only once {@code gate} opens; it counts the {@code resources/subscribe}
     * and {@code resources/unsubscribe} it accepts.
     */
    private static final class Watched {
        final AtomicInteger value = new AtomicInteger();
        final CompletableFuture<Void> gate = new CompletableFuture<>();
        final AtomicInteger gatedSubscribes = new AtomicInteger();
        final AtomicInteger gatedUnsubscribes = new AtomicInteger();
        final AtomicInteger subscribes = new AtomicInteger();
        final AtomicInteger unsubscribes = new AtomicInteger();
        final AtomicInteger refusals = new AtomicInteger();
        final Peregrine server;

        /** Started on {@code port} (0: any). */
        Watched(int port) throws InterruptedException {
            McpObserver counting = new McpObserver() {
                @Override
                public void requestEnded(ObservedRequest request, Object state, int errorCode, boolean toolError,
                                         boolean answered, long durationNanos) {
                    if (errorCode != 0) {
                        return;
                    }
                    if (request.method().equals("resources/subscribe")) {
                        subscribes.incrementAndGet();
                    } else if (request.method().equals("resources/unsubscribe")) {
                        unsubscribes.incrementAndGet();
                    }
                }
            };
            SubscriptionHandler refusing = new SubscriptionHandler() {
                @Override
                public CompletableFuture<Void> subscribe(String uri) {
                    refusals.incrementAndGet();
                    return CompletableFuture.failedFuture(new RpcException(-32050, "No subscriptions to " + uri + " today",
                            null, Map.of("uri", uri)));
                }

                @Override
                public void unsubscribe(String uri) {
                }
            };
            SubscriptionHandler gated = new SubscriptionHandler() {
                @Override
                public CompletableFuture<Void> subscribe(String uri) {
                    gatedSubscribes.incrementAndGet();
                    return gate.thenApply(v -> null);
                }

                @Override
                public void unsubscribe(String uri) {
                    gatedUnsubscribes.incrementAndGet();
                }
            };
            server = Peregrine.builder().tcp("127.0.0.1", port).drainTimeout(Duration.ZERO).observer(counting)
                    .resource(Resource.builder(WATCHED, "counter").handler(request ->
                            List.of(ResourceContents.text(request.uri(), "text/plain", "value " + value.get()))).build())
                    .resource(Resource.builder(REFUSED, "refused").text("never watched").subscriptions(refusing).build())
                    .resource(Resource.builder(GATED, "gated").text("watched late").subscriptions(gated).build())
                    .build();
            server.start();
        }

        String url() {
            return "tcp://127.0.0.1:" + server.addresses().tcp().getPort();
        }

        /** The watched resource's contents change. */
        void change() {
            value.incrementAndGet();
            server.resources().updated(WATCHED);
        }
    }

    private Watched startUpstream(int port) throws InterruptedException {
        Watched w = new Watched(port);
        upstreams.add(w);
        return w;
    }

    /** The gateway's upstream {@code up}: one replica per upstream Peregrine, reached speaking {@code version}. */
    private static UpstreamSpec link(String version, Watched... replicas) {
        UpstreamSpec.Builder b = UpstreamSpec.builder("up").protocolVersion(version)
                .reconnect(Duration.ofMillis(50), Duration.ofMillis(200));
        for (Watched w : replicas) {
            b.url(w.url());
        }
        return b.build();
    }

    /** Subscribes {@code client} to {@code uri}; the URIs of the updates it hears go to {@code heard}. */
    private static Subscription watch(PeregrineClient client, String uri, List<String> heard) throws Exception {
        Subscription s = client.listen(SubscriptionFilter.resources(uri), (method, params) -> {
            if (method.equals("notifications/resources/updated")) {
                heard.add((String) params.get("uri"));
            }
        });
        assertThat(s.acknowledged().get(20, TimeUnit.SECONDS).get("resourceSubscriptions")).isEqualTo(List.of(uri));
        return s;
    }

    /** "2025-11-25 2026-07-28": the gateway's link to the upstream, the gateway's client. */
    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25 2025-11-25", "2025-11-25 2026-07-28", "2026-07-28 2025-11-25",
            "2026-07-28 2026-07-28"})
    void anUpstreamUpdateReachesTheSubscribedClientOnce(String setup) throws Exception {
        String[] s = setup.split(" ");
        Watched up = startUpstream(0);
        Peregrine gateway = fixture.gateway(link(s[0], up));
        PeregrineClient client = fixture.client(gateway, "tcp", s[1]);
        if (s[1].equals("2025-11-25")) {
            assertThat(client.serverCapabilities().get("resources")).isEqualTo(Map.of("subscribe", true, "listChanged", true));
        }
        List<String> heard = new CopyOnWriteArrayList<>();
        watch(client, WATCHED, heard);
        if (s[0].equals("2025-11-25")) {
            assertThat(up.subscribes.get()).isEqualTo(1);
        }

        up.change();
        Await.until(() -> heard.size() == 1, "the update reaches the client");
        assertThat(client.readResource(WATCHED).get(0).text()).isEqualTo("value 1");
        up.change();
        Await.until(() -> heard.size() >= 2, "the second update reaches the client");
        // A second copy of the first update would have come before the second.
        assertThat(heard).containsExactly(WATCHED, WATCHED);
    }

    @Test
    void clientsShareOneUpstreamSubscriptionAndTheLastOneEndsIt() throws Exception {
        Watched up = startUpstream(0);
        Peregrine gateway = fixture.gateway(link("2025-11-25", up));
        PeregrineClient session = fixture.client(gateway, "tcp", "2025-11-25");
        PeregrineClient stateless = fixture.client(gateway, "http", "2026-07-28");
        List<String> heardBySession = new CopyOnWriteArrayList<>();
        List<String> heardByStateless = new CopyOnWriteArrayList<>();
        Subscription first = watch(session, WATCHED, heardBySession);
        Subscription second = watch(stateless, WATCHED, heardByStateless);
        assertThat(up.subscribes.get()).isEqualTo(1);

        up.change();
        Await.until(() -> heardBySession.size() == 1 && heardByStateless.size() == 1, "both clients hear the update");

        first.close();
        // The session's unsubscribe is answered once the gateway released its hold: one holder is left.
        session.request("resources/unsubscribe", Map.of("uri", WATCHED)).get(20, TimeUnit.SECONDS);
        assertThat(up.unsubscribes.get()).isZero();
        up.change();
        Await.until(() -> heardByStateless.size() == 2, "the remaining client hears the next update");
        assertThat(heardBySession).hasSize(1);

        second.close();
        Await.until(() -> up.unsubscribes.get() == 1, "the last client's cancel unsubscribes upstream");
        assertThat(up.subscribes.get()).isEqualTo(1);
    }

    @Test
    void aClientThatGoesReleasesItsHold() throws Exception {
        Watched up = startUpstream(0);
        Peregrine gateway = fixture.gateway(link("2025-11-25", up));
        PeregrineClient leaving = fixture.client(gateway, "tcp", "2025-11-25");
        PeregrineClient staying = fixture.client(gateway, "tcp", "2026-07-28");
        watch(leaving, WATCHED, new CopyOnWriteArrayList<>());
        List<String> heard = new CopyOnWriteArrayList<>();
        watch(staying, WATCHED, heard);

        leaving.close();
        up.change();
        Await.until(() -> heard.size() == 1, "the staying client hears the update");
        assertThat(up.unsubscribes.get()).isZero();

        staying.close();
        Await.until(() -> up.unsubscribes.get() == 1, "the last connection's end unsubscribes upstream");
        assertThat(up.subscribes.get()).isEqualTo(1);
    }

    @Test
    void anUpstreamThatComesBackIsSubscribedAgain() throws Exception {
        Watched before = startUpstream(0);
        int port = before.server.addresses().tcp().getPort();
        Peregrine gateway = fixture.gateway(link("2025-11-25", before));
        PeregrineClient session = fixture.client(gateway, "tcp", "2025-11-25");
        PeregrineClient stateless = fixture.client(gateway, "tcp", "2026-07-28");
        List<String> heardBySession = new CopyOnWriteArrayList<>();
        List<String> heardByStateless = new CopyOnWriteArrayList<>();
        watch(session, WATCHED, heardBySession);
        watch(stateless, WATCHED, heardByStateless);
        assertThat(before.subscribes.get()).isEqualTo(1);

        before.server.close();
        Await.until(() -> !gateway.gateway().upstreams().get("up"), "the gateway sees the upstream go");
        Watched after = startUpstream(port);
        Await.until(() -> after.subscribes.get() == 1, "the gateway subscribes again on the new upstream session");
        after.change();
        Await.until(() -> heardBySession.size() == 1 && heardByStateless.size() == 1, "updates flow again");
        assertThat(after.subscribes.get()).isEqualTo(1);
    }

    @Test
    void aSubscriptionLivesOnOneReplicaAndMovesWhenItsLinkIsLost() throws Exception {
        Watched first = startUpstream(0);
        Watched second = startUpstream(0);
        Peregrine gateway = fixture.gateway(link("2025-11-25", first, second));
        PeregrineClient client = fixture.client(gateway, "tcp", "2025-11-25");
        List<String> heard = new CopyOnWriteArrayList<>();
        watch(client, WATCHED, heard);
        Watched holding = first.subscribes.get() == 1 ? first : second;
        Watched other = holding == first ? second : first;
        assertThat(holding.subscribes.get()).isEqualTo(1);
        assertThat(other.subscribes.get()).isZero();

        // Both replicas change: only the one holding the subscription tells the gateway.
        first.change();
        second.change();
        Await.until(() -> heard.size() == 1, "the update of the holding replica arrives");

        holding.server.close();
        Await.until(() -> other.subscribes.get() == 1, "the subscription moves to the other replica");
        other.change();
        Await.until(() -> heard.size() == 2, "updates flow from the other replica");
        assertThat(heard).containsExactly(WATCHED, WATCHED);
    }

    @Test
    void anUnsubscribeWhileTheSubscribeIsOnItsWayReleasesTheUpstreamSubscription() throws Exception {
        Watched up = startUpstream(0);
        Peregrine gateway = fixture.gateway(link("2025-11-25", up));
        PeregrineClient session = fixture.client(gateway, "tcp", "2025-11-25");
        CompletableFuture<Map<String, Object>> subscribing = session.request("resources/subscribe", Map.of("uri", GATED));
        Await.until(() -> up.gatedSubscribes.get() == 1, "the subscribe reaches the upstream");
        session.request("resources/unsubscribe", Map.of("uri", GATED)).get(20, TimeUnit.SECONDS);
        up.gate.complete(null);
        subscribing.get(20, TimeUnit.SECONDS);

        // The later unsubscribe wins: the upstream subscription made meanwhile is let go.
        Await.until(() -> up.gatedUnsubscribes.get() == 1, "the upstream subscription is released");
        // Nothing is held for the session: subscribing again subscribes upstream again.
        session.request("resources/subscribe", Map.of("uri", GATED)).get(20, TimeUnit.SECONDS);
        assertThat(up.gatedSubscribes.get()).isEqualTo(2);
    }

    @Test
    void anUnknownUriGetsTheErrorALocalServerGives() throws Exception {
        Watched up = startUpstream(0);
        Peregrine gateway = fixture.gateway(link("2025-11-25", up));
        String unknown = "test://nowhere/at-all";
        PeregrineClient direct = fixture.connect(PeregrineClient.builder().protocolVersion("2025-11-25")
                .address(up.server.addresses().tcp()));
        PeregrineClient session = fixture.client(gateway, "tcp", "2025-11-25");
        McpClientException local = subscribeFails(direct, unknown);
        McpClientException through = subscribeFails(session, unknown);
        assertThat(through.code()).isEqualTo(JsonRpcError.RESOURCE_NOT_FOUND).isEqualTo(local.code());
        assertThat(through.getMessage()).isEqualTo(local.getMessage());
        assertThat(through.data()).isEqualTo(local.data());

        // A 2026-07-28 stream is acknowledged without it.
        PeregrineClient stateless = fixture.client(gateway, "tcp", "2026-07-28");
        Subscription s = stateless.listen(SubscriptionFilter.resources(unknown), (m, p) -> { });
        assertThat(s.acknowledged().get(20, TimeUnit.SECONDS).get("resourceSubscriptions")).isEqualTo(List.of());
        assertThat(up.subscribes.get()).isZero();
    }

    @Test
    void anUpstreamsRefusalReachesTheClientAndHoldsNothing() throws Exception {
        Watched up = startUpstream(0);
        Peregrine gateway = fixture.gateway(link("2025-11-25", up));
        PeregrineClient session = fixture.client(gateway, "tcp", "2025-11-25");
        McpClientException refused = subscribeFails(session, REFUSED);
        assertThat(refused.code()).isEqualTo(-32050);
        assertThat(refused.getMessage()).isEqualTo("No subscriptions to " + REFUSED + " today");
        // Nothing held: the next subscriber is refused upstream again, and no unsubscribe is owed.
        PeregrineClient stateless = fixture.client(gateway, "tcp", "2026-07-28");
        Subscription s = stateless.listen(SubscriptionFilter.resources(REFUSED), (m, p) -> { });
        assertThat(s.acknowledged().get(20, TimeUnit.SECONDS).get("resourceSubscriptions")).isEqualTo(List.of());
        assertThat(up.refusals.get()).isEqualTo(2);
        assertThat(subscribeFails(session, REFUSED).code()).isEqualTo(-32050);
        assertThat(up.refusals.get()).isEqualTo(3);
    }

    @Test
    void noSubscribeCapabilityWhenNoUpstreamOffersSubscriptions() throws Exception {
        Peregrine fixed = fixture.closeLater(Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO)
                .resource(Resource.builder(WATCHED, "counter").text("fixed").subscriptions(SubscriptionHandler.UNSUPPORTED)
                        .build())
                .build());
        fixed.start();
        PeregrineClient direct = fixture.connect(PeregrineClient.builder().protocolVersion("2025-11-25")
                .address(fixed.addresses().tcp()));
        assertThat(direct.serverCapabilities().get("resources")).isEqualTo(Map.of("listChanged", true));

        Peregrine gateway = fixture.gateway(UpstreamSpec.builder("up").url("tcp://127.0.0.1:"
                + fixed.addresses().tcp().getPort()).protocolVersion("2025-11-25").build());
        PeregrineClient session = fixture.client(gateway, "tcp", "2025-11-25");
        assertThat(session.readResource(WATCHED).get(0).text()).isEqualTo("fixed");
        assertThat(session.serverCapabilities().get("resources")).isEqualTo(Map.of("listChanged", true));
        assertThat(subscribeFails(session, WATCHED).code()).isEqualTo(JsonRpcError.INVALID_PARAMS);
    }

    private static McpClientException subscribeFails(PeregrineClient client, String uri) {
        Throwable[] caught = new Throwable[1];
        assertThatThrownBy(() -> {
            try {
                client.request("resources/subscribe", Map.of("uri", uri)).get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                caught[0] = e.getCause();
                throw e;
            }
        }).hasCauseInstanceOf(McpClientException.class);
        return (McpClientException) caught[0];
    }
}
