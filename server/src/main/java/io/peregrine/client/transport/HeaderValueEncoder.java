package io.peregrine.client.transport;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The value encoding of the MCP request headers ({@code Mcp-Name}, {@code Mcp-Param-*}): a value
 * that is not plain visible ASCII, has leading or trailing white space, or looks like the encoded
 * form travels as {@code =?base64?...?=}, the Base64 of its UTF-8. The server's
 * {@link io.peregrine.transport.http.HeaderValues} decodes it.
 */
final class HeaderValueEncoder {

    private static final String PREFIX = "=?base64?";
    private static final String SUFFIX = "?=";

    private HeaderValueEncoder() {
    }

    static String encode(String value) {
        return isPlain(value) ? value : PREFIX + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
                + SUFFIX;
    }

    private static boolean isPlain(String value) {
        if (value.isEmpty()) {
            return true;
        }
        if (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ') {
            return false;
        }
        if (value.startsWith(PREFIX) && value.endsWith(SUFFIX)) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
