package io.peregrine.gateway.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.peregrine.Peregrine;
import io.peregrine.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Consul source and registration against HashiCorp's recorded Consul API responses
 * ({@code @hashicorp/consul-api-double}, see {@link ConsulDouble}), not a live Consul: the
 * instances parsed from the health API, the tag filter, the datacenter and the ACL token sent,
 * blocking queries that wait and then answer with a changed index, an index that goes backwards,
 * and the register and deregister requests of a Peregrine server.
 */
@Timeout(value = 50, unit = TimeUnit.SECONDS)
class ConsulDiscoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ConsulDouble consul;

    @BeforeAll
    static void start() throws Exception {
        consul = ConsulDouble.start(3);
    }

    @AfterAll
    static void stop() throws Exception {
        if (consul != null) {
            consul.close();
        }
    }

    /** The instances a recorded answer lists with {@code tag}: service address, else the node's, and port. */
    private static List<String> expected(JsonNode answer, String tag) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : answer) {
            boolean tagged = false;
            for (JsonNode t : e.get("Service").get("Tags")) {
                tagged |= t.asText().equals(tag);
            }
            String address = e.get("Service").path("Address").asText();
            int port = e.get("Service").get("Port").asInt();
            if (tagged && port > 0) {
                out.add("http://" + (address.isEmpty() ? e.get("Node").get("Address").asText() : address) + ":" + port + "/mcp");
            }
        }
        return out;
    }

    /** A tag of the first instance that some, not all, instances have (else any of its tags). */
    private static String someTag(JsonNode answer) {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode e : answer) {
            for (JsonNode t : e.get("Service").get("Tags")) {
                counts.merge(t.asText(), 1, Integer::sum);
            }
        }
        String best = answer.get(0).get("Service").get("Tags").get(0).asText();
        for (JsonNode t : answer.get(0).get("Service").get("Tags")) {
            int n = counts.get(t.asText());
            if (n < answer.size() && (counts.get(best) == answer.size() || n > counts.get(best))) {
                best = t.asText();
            }
        }
        return best;
    }

    @Test
    void healthyInstancesAreWatchedWithBlockingQueries() throws Exception {
        JsonNode three = JSON.readTree(consul.recorded("GET", "/v1/health/service/web", 3));
        String tag = someTag(three);
        List<String> first = expected(three, tag);
        assertThat(first).isNotEmpty();
        assertThat(three.size()).as("instances in the recording").isEqualTo(3);

        ConsulDiscovery discovery = ConsulDiscovery.builder(consul.address(), "web").tag(tag).datacenter("dc1")
                .token("consul-acl-token").waitTime(Duration.ofSeconds(1)).build();
        List<List<String>> heard = new CopyOnWriteArrayList<>();
        consul.requests.clear();
        try (EndpointSource source = discovery.open("web")) {
            source.start(heard::add);
            Await.until(() -> heard.size() == 1, "the first list");
            assertThat(heard.get(0)).containsExactlyInAnyOrderElementsOf(first);
            assertThat(heard.get(0)).hasSizeLessThan(3); // the tag filter left some out

            // Nothing changes: each blocking query is held for its wait, no tight loop, no new list.
            Thread.sleep(2_500);
            List<ConsulDouble.Request> asked = List.copyOf(consul.requests);
            assertThat(asked.size()).as("requests in 2.5 s with wait=1s").isBetween(2, 5);
            ConsulDouble.Request initial = asked.get(0);
            assertThat(initial.query()).containsEntry("tag", tag).containsEntry("dc", "dc1").containsKey("passing")
                    .doesNotContainKey("index");
            assertThat(initial.token()).isEqualTo("consul-acl-token");
            ConsulDouble.Request blocking = asked.get(1);
            assertThat(blocking.query()).containsEntry("index", "10").containsEntry("wait", "1000ms");
            assertThat(blocking.heldMillis()).as("a blocking query with nothing new is held").isGreaterThanOrEqualTo(900);
            assertThat(heard).hasSize(1);

            // Another number of nodes whose tagged instances differ: the held query answers at once
            // with index 11 and the new list.
            int count = 0;
            List<String> second = first;
            for (int n : new int[] {1, 5, 7, 9}) {
                second = expected(JSON.readTree(consul.recorded("GET", "/v1/health/service/web", n)), tag);
                if (!second.equals(first)) {
                    count = n;
                    break;
                }
            }
            assertThat(count).as("a node count whose tagged instances differ").isPositive();
            long changed = System.nanoTime();
            consul.nodes(count);
            Await.until(() -> heard.size() == 2, "the list after the change");
            System.out.printf("consul: %d -> %d nodes, index 10 -> 11: new list (%d -> %d instances with tag %s) heard after %d ms%n",
                    3, count, first.size(), second.size(), tag, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed));
            assertThat(heard.get(1)).containsExactlyInAnyOrderElementsOf(second);
            Await.until(() -> consul.requests.stream().anyMatch(r -> "11".equals(r.query().get("index"))),
                    "a blocking query from index 11 on");

            // The index goes backwards (Consul restored from a snapshot): the source starts over from 0.
            int before = consul.requests.size();
            consul.index(3);
            Await.until(() -> consul.requests.stream().skip(before).anyMatch(r -> !r.query().containsKey("index")),
                    "a query without index after the index went backwards");
        }
    }

    @Test
    void aServerRegistersWithAnHttpCheckAndDeregistersOnClose() throws Exception {
        consul.requests.clear();
        ConsulRegistration registration = ConsulRegistration.builder(consul.address(), "peregrine-test").tag("mcp")
                .token("consul-acl-token").check(Duration.ofSeconds(5), Duration.ofSeconds(90)).build();
        Peregrine server = Peregrine.builder().http("127.0.0.1", 0).registration(registration).build();
        int port;
        try {
            server.start();
            port = server.addresses().http().getPort();
            ConsulDouble.Request put = consul.requests.get(0);
            assertThat(put.method()).isEqualTo("PUT");
            assertThat(put.path()).isEqualTo("/v1/agent/service/register");
            assertThat(put.token()).isEqualTo("consul-acl-token");
            JsonNode body = JSON.readTree(put.body());
            assertThat(body.get("ID").asText()).isEqualTo("peregrine-test-127.0.0.1-" + port);
            assertThat(body.get("Name").asText()).isEqualTo("peregrine-test");
            assertThat(body.get("Address").asText()).isEqualTo("127.0.0.1");
            assertThat(body.get("Port").asInt()).isEqualTo(port);
            assertThat(body.get("Tags").get(0).asText()).isEqualTo("mcp");
            assertThat(body.get("Meta").get("mcp-url").asText()).isEqualTo("http://127.0.0.1:" + port + "/mcp");
            JsonNode check = body.get("Check");
            assertThat(check.get("HTTP").asText()).isEqualTo("http://127.0.0.1:" + port + "/health");
            assertThat(check.get("Interval").asText()).isEqualTo("5s");
            assertThat(check.get("DeregisterCriticalServiceAfter").asText()).isEqualTo("90s");
            // What Consul would check answers.
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(check.get("HTTP").asText())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            server.close();
        }
        ConsulDouble.Request last = consul.requests.get(consul.requests.size() - 1);
        assertThat(last.method()).isEqualTo("PUT");
        assertThat(last.path()).isEqualTo("/v1/agent/service/deregister/peregrine-test-127.0.0.1-" + port);
        assertThat(last.token()).isEqualTo("consul-acl-token");
    }
}
