package io.peregrine.transport.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.peregrine.policy.Principal;
import io.peregrine.transport.PeerHandler;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.function.Function;

/**
 * After a TLS handshake, makes the client's verified certificate (if it sent one) the channel's
 * principal, through the configured mapping; then steps out of the pipeline.
 */
public final class ClientCertificateHandler extends ChannelInboundHandlerAdapter {

    private final Function<X509Certificate, Principal> mapping;

    public ClientCertificateHandler(Function<X509Certificate, Principal> mapping) {
        this.mapping = mapping;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent) {
            if (((SslHandshakeCompletionEvent) evt).isSuccess()) {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                try {
                    Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
                    if (chain.length > 0 && chain[0] instanceof X509Certificate) {
                        ctx.channel().attr(PeerHandler.PRINCIPAL).set(mapping.apply((X509Certificate) chain[0]));
                    }
                } catch (SSLPeerUnverifiedException e) {
                    // No client certificate: the listener's authenticator decides.
                }
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }
}
