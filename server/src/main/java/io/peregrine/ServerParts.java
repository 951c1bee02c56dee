package io.peregrine;

import io.peregrine.mcp.McpObserver;
import io.peregrine.mcp.ServerClock;
import io.peregrine.ops.metrics.TraceExemplars;
import io.peregrine.policy.ClientCertificates;
import io.peregrine.policy.PolicyChain;
import io.peregrine.prompt.Prompt;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.tool.Tool;
import io.peregrine.transport.ListenerSecurity;
import io.peregrine.transport.tls.TlsContext;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * What a builder hands a server beside its {@link ServerSettings}: the objects it serves and
 * secures itself with, as they were when {@link Peregrine.Builder#build()} ran.
 *
 * @param observers          observers of the server's traffic, in the order they were added
 * @param tcpTls             TLS of the TCP listener, or null
 * @param httpTls            TLS of the HTTP listener, or null
 * @param clientCertificates how client certificates map to principals, or null
 * @param stdin              the stdio session's input, or null when stdio is not served
 * @param stdout             the stdio session's output, or null
 * @param clock              the clock request states, tasks and requests to the client are timed by
 * @param metricsExemplars   where the metrics find a request's trace for exemplars
 */
record ServerParts(List<Tool> tools, List<Resource> resources, List<ResourceTemplate> templates, List<Prompt> prompts,
                   List<McpObserver> observers, PolicyChain policy, TlsContext tcpTls, TlsContext httpTls, ClientCertificates clientCertificates,
                   InputStream stdin, OutputStream stdout, ServerClock clock, TraceExemplars metricsExemplars) {

    ServerParts {
        tools = List.copyOf(tools);
        resources = List.copyOf(resources);
        templates = List.copyOf(templates);
        prompts = List.copyOf(prompts);
        observers = List.copyOf(observers);
    }

    ListenerSecurity security(TlsContext tls) {
        return new ListenerSecurity(tls, clientCertificates == null ? null : clientCertificates::principal, policy);
    }
}
