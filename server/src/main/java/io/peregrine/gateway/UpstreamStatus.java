package io.peregrine.gateway;

import java.util.List;

/**
 * One upstream's endpoints and what its health checks and outlier detection did, for
 * {@code /ready} and the metrics. The counts only grow while the gateway runs (endpoints that
 * left still count).
 *
 * @param name               the upstream's name
 * @param balancing          how its endpoints are chosen
 * @param endpoints          each endpoint, draining ones included
 * @param ejections          endpoints ejected so far
 * @param healthChecksPassed health checks answered in time
 * @param healthChecksFailed health checks that failed or went unanswered
 */
public record UpstreamStatus(String name, LoadBalancing balancing, List<EndpointStatus> endpoints, long ejections,
                             long healthChecksPassed, long healthChecksFailed) {
}
