package io.peregrine.transport.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The value encoding of the MCP request headers ({@code Mcp-Name}, {@code Mcp-Param-*}): a value
 * that is not plain ASCII travels as {@code =?base64?...?=}, the Base64 of its UTF-8.
 */
public final class HeaderValues {

    private static final String PREFIX = "=?base64?";
    private static final String SUFFIX = "?=";
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*={0,2}");

    private HeaderValues() {
    }

    /**
     * The value {@code raw} carries: decoded when it has the Base64 form, as it is otherwise; null
     * when the Base64 inside the form is not valid (padded, of the standard alphabet).
     */
    public static String decode(String raw) {
        if (!raw.startsWith(PREFIX) || !raw.endsWith(SUFFIX) || raw.length() < PREFIX.length() + SUFFIX.length()) {
            return raw;
        }
        String b64 = raw.substring(PREFIX.length(), raw.length() - SUFFIX.length());
        if (b64.length() % 4 != 0 || !BASE64.matcher(b64).matches()) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
