package io.peregrine.client;

import io.peregrine.Peregrine;
import io.peregrine.testing.CuttableProxy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session's Streamable HTTP GET stream, which carries what the server sends unasked, cut in the
 * middle (its connection closed under it, as a server or a proxy closing it would) while the
 * server goes on sending: the client resumes it with {@code Last-Event-ID} and hears every
 * notification once, in order; when the server cannot resume it, the client says so, naming the
 * event, opens a new stream and keeps its session.
 */
class GetStreamResumptionTest {

    private static final long WAIT_SECONDS = 30;
    private static final int BEFORE = 10;
    private static final int DURING = 10;
    private static final int AFTER = 10;
    private static final String WARM_UP = "test://items/warm-up";

    private static String item(int i) {
        return "test://items/" + i;
    }

    private static List<String> items(int from, int to) {
        List<String> uris = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            uris.add(item(i));
        }
        return uris;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Until an update reaches the client, its GET stream is not open: the server drops them meanwhile. */
    private static void awaitStreamOpen(Peregrine server, List<String> heard) throws InterruptedException {
        int before = (int) heard.stream().filter(WARM_UP::equals).count();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (heard.stream().filter(WARM_UP::equals).count() == before) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the GET stream did not open");
            }
            server.resources().updated(WARM_UP);
            Thread.sleep(50);
        }
    }

    private static void update(Peregrine server, int from, int to) {
        for (int i = from; i <= to; i++) {
            server.resources().updated(item(i));
        }
    }

    private static List<String> numbered(List<String> heard) {
        List<String> out = new ArrayList<>(heard);
        out.removeIf(WARM_UP::equals);
        return out;
    }

    private static PeregrineClient connect(CuttableProxy proxy, List<String> heard, List<String> missed) throws Exception {
        PeregrineClient c = PeregrineClient.builder().url("http://127.0.0.1:" + proxy.port() + "/mcp")
                .protocolVersion("2025-11-25")
                .requestTimeout(Duration.ofSeconds(WAIT_SECONDS))
                .onNotificationsMissed(missed::add)
                .connect();
        List<String> uris = items(1, BEFORE + DURING + AFTER);
        uris.add(WARM_UP);
        Subscription s = c.listen(SubscriptionFilter.resources(uris.toArray(new String[0])),
                (method, params) -> heard.add(String.valueOf(params.get("uri"))));
        s.ack().get(WAIT_SECONDS, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void aGetStreamCutMidwayResumesFromLastEventIdAndLosesNoNotification() throws Exception {
        Peregrine server = ClientKitServer.builder().noTcp().http("127.0.0.1", 0).build();
        List<String> heard = new CopyOnWriteArrayList<>();
        List<String> missed = new CopyOnWriteArrayList<>();
        try (CuttableProxy proxy = new CuttableProxy(server.start().http());
             PeregrineClient c = connect(proxy, heard, missed)) {
            awaitStreamOpen(server, heard);
            update(server, 1, BEFORE);
            await(() -> numbered(heard).size() >= BEFORE, "the first updates arrived");

            // The stream is cut and stays down while the server sends more: only a resumption brings them.
            proxy.refuse(true);
            proxy.cutAll();
            update(server, BEFORE + 1, BEFORE + DURING);
            Thread.sleep(100);
            proxy.refuse(false);
            update(server, BEFORE + DURING + 1, BEFORE + DURING + AFTER);

            int all = BEFORE + DURING + AFTER;
            await(() -> numbered(heard).size() >= all, "every update arrived");
            Thread.sleep(200); // time for a duplicate to show
            assertThat(numbered(heard)).containsExactlyElementsOf(items(1, all));
            assertThat(missed).isEmpty();
            assertThat(c.callTool("echo", Map.of("message", "same session")).text()).isEqualTo("same session");
        } finally {
            server.close();
        }
    }

    @Test
    void aGetStreamTheServerCannotResumeIsReportedNamingTheEventAndReplacedInTheSameSession() throws Exception {
        // No events kept: the server refuses a resumption that would skip some, rather than hide the gap.
        Peregrine server = ClientKitServer.builder().noTcp().http("127.0.0.1", 0).replayEvents(0).build();
        List<String> heard = new CopyOnWriteArrayList<>();
        List<String> missed = new CopyOnWriteArrayList<>();
        List<String> catalogs = new CopyOnWriteArrayList<>();
        try (CuttableProxy proxy = new CuttableProxy(server.start().http());
             PeregrineClient c = connect(proxy, heard, missed)) {
            c.addCatalogListener((kind, items) -> catalogs.add(kind.name()));
            assertThat(c.tools()).isNotEmpty();
            awaitStreamOpen(server, heard);
            update(server, 1, BEFORE);
            await(() -> numbered(heard).size() >= BEFORE, "the first updates arrived");

            proxy.refuse(true);
            proxy.cutAll();
            update(server, BEFORE + 1, BEFORE + DURING);
            Thread.sleep(100);
            proxy.refuse(false);

            await(() -> !missed.isEmpty(), "the client reported the gap");
            assertThat(missed.get(0))
                    .contains("GET stream of the session with http://127.0.0.1:" + proxy.port() + "/mcp")
                    .containsPattern("could not be resumed from Last-Event-ID \\d+_\\d+ \\(HTTP 404 Not Found: ")
                    .contains("are no longer kept (http.replay-events: 0)")
                    .contains("notifications the server sent since then are lost");
            // The lists the server may have announced in the gap are fetched again.
            await(() -> catalogs.contains("TOOLS"), "the tools were fetched again");

            awaitStreamOpen(server, heard);
            update(server, BEFORE + DURING + 1, BEFORE + DURING + AFTER);
            await(() -> numbered(heard).size() >= BEFORE + AFTER, "the later updates arrived");
            List<String> expected = items(1, BEFORE);
            expected.addAll(items(BEFORE + DURING + 1, BEFORE + DURING + AFTER));
            assertThat(numbered(heard)).containsExactlyElementsOf(expected);
            assertThat(missed).hasSize(1);
            assertThat(c.callTool("echo", Map.of("message", "same session")).text()).isEqualTo("same session");
        } finally {
            server.close();
        }
    }
}
