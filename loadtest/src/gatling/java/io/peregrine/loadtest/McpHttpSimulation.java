package io.peregrine.loadtest;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

import java.net.InetSocketAddress;
import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * MCP over Streamable HTTP: each virtual user keeps one keep-alive connection and posts to
 * {@code /mcp}. In the 2025-11-25 era it posts {@code initialize}, keeps the
 * {@code Mcp-Session-Id} of the answer and sends it (with {@code MCP-Protocol-Version}) on
 * {@code notifications/initialized} (202) and every call. In the stateless 2026-07-28 era each
 * call carries the version and capabilities in {@code _meta} and the headers
 * {@code MCP-Protocol-Version}, {@code Mcp-Method} and {@code Mcp-Name}. Every answer, JSON or
 * event stream, must have status 200, the call's id and the echoed message. Settings:
 * {@link GatlingSettings}.
 *
 * <pre>{@code
 *   loadtest/run gatling http                                closed model, 16 users, 10 s
 *   loadtest/run gatling http -Dera=2026-07-28 -Dmodel=open -Drate=50 -Dcalls=20
 *   loadtest/run gatling http -Dtarget=127.0.0.1:8080        a server already running
 * }</pre>
 *
 * <p>Gatling's HTML report is written under {@code loadtest/results/gatling/}.
 */
public class McpHttpSimulation extends Simulation {

    private final GatlingSettings settings = new GatlingSettings();
    private final Target target = Target.start(settings.target, Transport.HTTP, settings.era, settings.payload);

    public McpHttpSimulation() throws InterruptedException {
        InetSocketAddress a = target.address();
        HttpProtocolBuilder protocol = http.baseUrl("http://" + a.getAddress().getHostAddress() + ":" + a.getPort())
                .acceptHeader("application/json, text/event-stream")
                .contentTypeHeader("application/json")
                .header("MCP-Protocol-Version", settings.era.version());

        HttpRequestActionBuilder call = http("tools/call echo").post(HttpClientFraming.PATH)
                .body(StringBody(session -> settings.toolsCall(session.getLong("next"))))
                .check(status().is(200),
                        regex("\"id\":(\\d+)").isEL("#{next}"),
                        substring(settings.expectedText()).exists());
        ChainBuilder open;
        if (settings.era.handshake()) {
            call = call.header("Mcp-Session-Id", "#{session}");
            open = exec(http("initialize").post(HttpClientFraming.PATH)
                    .body(StringBody(settings.initialize()))
                    .check(status().is(200), header("Mcp-Session-Id").saveAs("session"),
                            substring("\"protocolVersion\":\"" + settings.era.version() + "\"").exists()))
                    .exec(http("notifications/initialized").post(HttpClientFraming.PATH)
                            .header("Mcp-Session-Id", "#{session}")
                            .body(StringBody(GatlingSettings.initialized()))
                            .check(status().is(202)));
        } else {
            call = call.header("Mcp-Method", "tools/call").header("Mcp-Name", "echo");
            open = exec(session -> session);
        }
        ScenarioBuilder scenario = scenario("MCP over Streamable HTTP, " + settings)
                .exec(open)
                .exec(session -> session.set("next", 1L))
                .repeat(settings.calls).on(
                        exec(call).exec(session -> session.set("next", session.getLong("next") + 1)));

        PopulationBuilder population = settings.open
                ? scenario.injectOpen(constantUsersPerSec(settings.rate).during(settings.duration))
                : scenario.injectClosed(constantConcurrentUsers(settings.users).during(settings.duration));
        setUp(population.protocols(protocol))
                .maxDuration(settings.duration.plus(Duration.ofSeconds(30)))
                .assertions(global().failedRequests().count().is(0L));
    }

    @Override
    public void after() {
        target.close();
    }
}
