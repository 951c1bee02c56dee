package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * The generator's requests, encoded once: every {@code tools/call} is the same bytes but for its
 * id, so a request costs one buffer and one copy.
 */
final class RequestEncoder {

    private static final byte[] HEAD = ascii("{\"jsonrpc\":\"2.0\",\"id\":");

    private final byte[] callTail;
    private final byte[] initialize;
    private final byte[] initialized;

    /**
     * Calls {@code tool} with a {@code message} of {@code payloadBytes} ASCII letters.
     *
     * @param authorization the credential carried in the messages themselves (MCP over TCP has no
     *                      headers: {@code _meta["io.peregrine/authorization"]} of the first request,
     *                      {@code initialize} or, in the stateless era, every call), such as
     *                      {@code Bearer KEY}; null for none
     */
    RequestEncoder(Era era, String tool, int payloadBytes, boolean newlineDelimited, String authorization) {
        String end = newlineDelimited ? "\n" : "";
        String credential = authorization == null ? "" : "\"io.peregrine/authorization\":\"" + authorization + "\"";
        this.callTail = ascii(",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":{\"message\":\"" + "x".repeat(payloadBytes) + "\"}"
                + era.requestMeta(era.handshake() ? "" : credential) + "}}" + end);
        this.initialize = ascii("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + era.version() + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"peregrine-load\",\"version\":\"1\"}"
                + Era.V2025_11_25.requestMeta(credential) + "}}" + end);
        this.initialized = ascii("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}" + end);
    }

    /** The id of the {@code initialize} request; calls count up from 1. */
    static long initializeId() {
        return 0;
    }

    /** A {@code tools/call} request with this id. */
    ByteBuf toolCall(ByteBufAllocator alloc, long id) {
        ByteBuf out = alloc.ioBuffer(HEAD.length + 20 + callTail.length);
        out.writeBytes(HEAD);
        writeDecimal(out, id);
        return out.writeBytes(callTail);
    }

    ByteBuf initialize(ByteBufAllocator alloc) {
        return alloc.ioBuffer(initialize.length).writeBytes(initialize);
    }

    ByteBuf initialized(ByteBufAllocator alloc) {
        return alloc.ioBuffer(initialized.length).writeBytes(initialized);
    }

    /** Writes a non-negative number in ASCII without going through a String. */
    static void writeDecimal(ByteBuf out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("value : " + value + " (expected: >= 0)");
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        out.ensureWritable(digits);
        int start = out.writerIndex();
        long v = value;
        for (int i = start + digits - 1; i >= start; i--) {
            out.setByte(i, '0' + (int) (v % 10));
            v /= 10;
        }
        out.writerIndex(start + digits);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
