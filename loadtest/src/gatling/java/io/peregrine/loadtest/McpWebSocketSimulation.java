package io.peregrine.loadtest;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.net.InetSocketAddress;
import java.time.Duration;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.ws;

/**
 * MCP over WebSocket: each virtual user opens one socket to {@code /mcp} (subprotocol
 * {@code mcp}), opens the session ({@code initialize} in the 2025-11-25 era, nothing in the
 * stateless one), then calls {@code echo} {@code calls} times, one call in flight at a time, and
 * checks that each answer has the call's id and echoes the message. Settings: {@link GatlingSettings}.
 *
 * <pre>{@code
 *   loadtest/run gatling ws                                  closed model, 16 users, 10 s
 *   loadtest/run gatling ws -Dmodel=open -Drate=50 -Dcalls=20
 *   loadtest/run gatling ws -Dera=2026-07-28 -Dtarget=raw
 * }</pre>
 *
 * <p>Gatling's HTML report is written under {@code loadtest/results/gatling/}.
 */
public class McpWebSocketSimulation extends Simulation {

    private final GatlingSettings settings = new GatlingSettings();
    private final Target target = Target.start(settings.target, Transport.WEBSOCKET, settings.era, settings.payload);

    public McpWebSocketSimulation() throws InterruptedException {
        InetSocketAddress a = target.address();
        HttpProtocolBuilder protocol = http.wsBaseUrl("ws://" + a.getAddress().getHostAddress() + ":" + a.getPort());

        ChainBuilder open = settings.era.handshake()
                ? exec(ws("initialize").sendText(settings.initialize())
                        .await(10).on(ws.checkTextMessage("initialize result")
                                .check(jsonPath("$.id").ofInt().is(0),
                                        jsonPath("$.result.protocolVersion").is(settings.era.version()))))
                        .exec(ws("notifications/initialized").sendText(GatlingSettings.initialized()))
                : exec(session -> session);
        ChainBuilder calls = exec(session -> session.set("next", 1L))
                .repeat(settings.calls).on(
                        exec(ws("tools/call echo").sendText(session -> settings.toolsCall(session.getLong("next")))
                                .await(10).on(ws.checkTextMessage("echo result")
                                        .check(regex("\"id\":(\\d+)").isEL("#{next}"),
                                                substring(settings.expectedText()).exists())))
                                .exec(session -> session.set("next", session.getLong("next") + 1)));
        ScenarioBuilder scenario = scenario("MCP over WebSocket, " + settings)
                .exec(ws("connect").connect("/mcp").subprotocol("mcp"))
                .exec(open)
                .exec(calls)
                .exec(ws("close").close());

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
