package io.peregrine.transport.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.Set;

/**
 * The request metadata of a 2026-07-28 POST: {@code _meta} carries the protocol version and the
 * client's capabilities, and the headers {@code MCP-Protocol-Version}, {@code Mcp-Method} and
 * {@code Mcp-Name} repeat what the body says, so that a proxy can route on them without reading
 * it. What is missing or does not match is described for a person to act on.
 */
final class RequestMetadata {

    static final AsciiString MCP_PROTOCOL_VERSION = AsciiString.cached("mcp-protocol-version");
    static final AsciiString MCP_METHOD = AsciiString.cached("mcp-method");
    static final AsciiString MCP_NAME = AsciiString.cached("mcp-name");
    /** The methods whose {@code Mcp-Name} mirrors {@code params.name}, {@code params.uri} or {@code params.taskId}. */
    private static final Set<String> NAMED_METHODS = Set.of("tools/call", "resources/read", "prompts/get",
            "tasks/get", "tasks/update", "tasks/cancel");

    private RequestMetadata() {
    }

    /** What a request naming {@code headerVersion} lacks in its {@code _meta}, or null. */
    static String missingMeta(String headerVersion, HttpEnvelope e) {
        return headerVersion == null || e.kind != HttpEnvelope.Kind.REQUEST ? null
                : !e.hasMeta ? "params._meta is missing"
                : e.metaProtocolVersion == null ? "_meta[\"io.modelcontextprotocol/protocolVersion\"] is missing"
                : !e.metaHasClientCapabilities ? "_meta[\"io.modelcontextprotocol/clientCapabilities\"] is missing"
                : null;
    }

    /** Checks the request metadata headers of 2026-07-28 against the body; a description of the first mismatch, or null. */
    static String mismatch(HttpHeaders h, String headerVersion, HttpEnvelope e) {
        if (headerVersion == null) {
            return "the MCP-Protocol-Version header is required (expected: " + e.metaProtocolVersion + ")";
        }
        if (e.metaProtocolVersion != null && !headerVersion.equals(e.metaProtocolVersion)) {
            return "MCP-Protocol-Version header value '" + headerVersion + "' does not match body value '"
                    + e.metaProtocolVersion + "'";
        }
        if (e.kind == HttpEnvelope.Kind.BATCH || e.method == null) {
            return null;
        }
        String method = h.get(MCP_METHOD);
        if (method == null) {
            return "the Mcp-Method header is required (expected: " + e.method + ")";
        }
        if (!method.equals(e.method)) {
            return "Mcp-Method header value '" + method + "' does not match body value '" + e.method + "'";
        }
        if (NAMED_METHODS.contains(e.method)) {
            String raw = h.get(MCP_NAME);
            if (raw == null) {
                return "the Mcp-Name header is required for " + e.method + (e.name != null ? " (expected: " + e.name + ")" : "");
            }
            String name = HeaderValues.decode(raw);
            if (name == null) {
                return "Mcp-Name header value '" + raw + "' is not valid base64 inside =?base64?...?=";
            }
            if (e.name != null && !name.equals(e.name)) {
                return "Mcp-Name header value '" + name + "' does not match body value '" + e.name + "'";
            }
        }
        return null;
    }
}
