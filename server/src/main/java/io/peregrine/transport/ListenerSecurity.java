package io.peregrine.transport;

import io.netty.channel.ChannelPipeline;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.Principal;
import io.peregrine.transport.tls.ClientCertificateHandler;
import io.peregrine.transport.tls.TlsContext;

import java.security.cert.X509Certificate;
import java.util.function.Function;

/**
 * What a listener needs to secure its connections: TLS (or none), how client certificates map
 * to principals, and the policy whose authenticator checks credentials the transport carries
 * (WebSocket upgrade and HTTP headers).
 */
public final class ListenerSecurity {

    /** Plain text, no authentication at the transport. */
    public static final ListenerSecurity NONE = new ListenerSecurity(null, null, null);

    private final TlsContext tls;
    private final Function<X509Certificate, Principal> clientCertificates;
    private final PolicyChain policy;

    /**
     * @param tls                TLS for the listener, or null for plain text
     * @param clientCertificates maps verified client certificates to principals, or null
     * @param policy             the policy authenticating transport-level credentials, or null for none
     */
    public ListenerSecurity(TlsContext tls, Function<X509Certificate, Principal> clientCertificates, PolicyChain policy) {
        this.tls = tls;
        this.clientCertificates = clientCertificates;
        this.policy = policy;
    }

    public TlsContext tls() {
        return tls;
    }

    public PolicyChain policy() {
        return policy;
    }

    /** Adds TLS (and the client-certificate mapping) at the head of a new connection's pipeline. */
    public void configure(ChannelPipeline p) {
        if (tls == null) {
            return;
        }
        p.addLast("tls", tls.newHandler(p.channel().alloc()));
        if (clientCertificates != null && tls.wantsClientCertificates()) {
            p.addLast(new ClientCertificateHandler(clientCertificates));
        }
    }
}
