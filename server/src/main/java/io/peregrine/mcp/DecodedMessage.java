package io.peregrine.mcp;

import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.transport.MessageListener;

/**
 * A message {@link McpServer#decode} read for a transport that looks into messages: the envelope
 * and the {@code params} read in the one pass, answering the transport's questions from them and
 * handed back whole to {@link McpServer#onDecoded}.
 */
final class DecodedMessage implements MessageListener.Decoded {

    final RpcMessage message;
    /** The params as read in the envelope pass; {@link Params#EMPTY} when there were none. */
    private final Params params;

    DecodedMessage(RpcMessage message, Params params) {
        this.message = message;
        this.params = params;
    }

    @Override
    public boolean isRequest() {
        return message.kind() == RpcMessage.Kind.REQUEST;
    }

    @Override
    public boolean isResponse() {
        return message.kind() == RpcMessage.Kind.RESPONSE;
    }

    @Override
    public String method() {
        return message.method();
    }

    @Override
    public RequestId id() {
        return message.id();
    }

    @Override
    public String target() {
        String name = params.stringOrNull("name");
        if (name == null) {
            name = params.stringOrNull("uri");
        }
        return name != null ? name : params.stringOrNull("taskId");
    }

    @Override
    public boolean hasMeta() {
        return params.hasMeta();
    }

    @Override
    public String metaProtocolVersion() {
        return params.protocolVersion();
    }

    @Override
    public boolean metaHasClientCapabilities() {
        return params.hasClientCapabilities();
    }

    @Override
    public void release() {
        message.release();
    }
}
