package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Reads just enough of a JSON-RPC message to judge it as a response: its top-level {@code id}
 * (when it is an integer) and whether it carries {@code result}, {@code error} or {@code method}.
 *
 * <p>It walks the top-level object, stepping over strings and nested values, so a key that
 * appears inside the echoed text or the result cannot be mistaken for one of the envelope. It
 * stops as soon as it has the id and the outcome: for Peregrine's responses that is after the
 * first thirty-odd bytes, however large the payload. It does not validate the JSON; the server
 * under test is trusted to write JSON, and only which request it answered and how is in question.
 *
 * <p>One instance per connection; not thread-safe.
 */
final class ResponseParser {

    /** What a message turned out to be. */
    enum Kind {
        /** A success response: {@code result} and an integer {@link #id()}. */
        RESULT,
        /** An error response; {@link #id()} is {@link #NO_ID} when the server could not tell the id. */
        ERROR,
        /** A request or notification from the server, which answers none of ours. */
        NOT_A_RESPONSE,
        /** Not a JSON-RPC object with one outcome. */
        MALFORMED
    }

    /** {@link #id()} when the message had no id, or one that is not an integer. */
    static final long NO_ID = Long.MIN_VALUE;

    private static final byte[] ID = ascii("id");
    private static final byte[] RESULT = ascii("result");
    private static final byte[] ERROR = ascii("error");
    private static final byte[] METHOD = ascii("method");

    private long id = NO_ID;

    /** The id of the message last parsed, or {@link #NO_ID}. */
    long id() {
        return id;
    }

    /** Reads the readable bytes of {@code msg} without moving its indexes. */
    Kind parse(ByteBuf msg) {
        id = NO_ID;
        int end = msg.writerIndex();
        int i = skipSpace(msg, msg.readerIndex(), end);
        if (i >= end || msg.getByte(i) != '{') {
            return Kind.MALFORMED;
        }
        boolean hasId = false;
        boolean result = false;
        boolean error = false;
        boolean method = false;
        int depth = 0;
        boolean keyNext = false;
        while (i < end) {
            byte b = msg.getByte(i);
            if (b == '"') {
                int close = closingQuote(msg, i + 1, end);
                if (close < 0) {
                    return Kind.MALFORMED;
                }
                if (!keyNext) {
                    i = close + 1;
                    continue;
                }
                keyNext = false;
                int colon = skipSpace(msg, close + 1, end);
                if (colon >= end || msg.getByte(colon) != ':') {
                    return Kind.MALFORMED;
                }
                int value = skipSpace(msg, colon + 1, end);
                int nameStart = i + 1;
                int nameLength = close - nameStart;
                if (matches(msg, nameStart, nameLength, ID)) {
                    hasId = true;
                    id = readInteger(msg, value, end);
                } else if (matches(msg, nameStart, nameLength, RESULT)) {
                    result = true;
                } else if (matches(msg, nameStart, nameLength, ERROR)) {
                    error = true;
                } else if (matches(msg, nameStart, nameLength, METHOD)) {
                    method = true;
                }
                if (hasId && (result || error) && !method) {
                    break; // all that is needed; the rest is the payload
                }
                i = value;
                continue;
            }
            switch (b) {
                case '{':
                    depth++;
                    keyNext = depth == 1;
                    break;
                case '[':
                    depth++;
                    break;
                case '}':
                case ']':
                    depth--;
                    if (depth == 0) {
                        i = end; // the end of the top-level object
                        continue;
                    }
                    break;
                case ',':
                    keyNext = depth == 1;
                    break;
                default:
                    break;
            }
            i++;
        }
        return verdict(hasId, result, error, method);
    }

    private Kind verdict(boolean hasId, boolean result, boolean error, boolean method) {
        if (method) {
            return result || error ? Kind.MALFORMED : Kind.NOT_A_RESPONSE;
        }
        if (result && error) {
            return Kind.MALFORMED;
        }
        if (error) {
            return Kind.ERROR;
        }
        return result && hasId && id != NO_ID ? Kind.RESULT : Kind.MALFORMED;
    }

    /** The integer at {@code i}, or {@link #NO_ID} for a string, null, fraction or overflow. */
    private static long readInteger(ByteBuf msg, int i, int end) {
        boolean negative = i < end && msg.getByte(i) == '-';
        if (negative) {
            i++;
        }
        long v = 0;
        int digits = 0;
        for (; i < end; i++) {
            byte b = msg.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            if (++digits > 18) {
                return NO_ID;
            }
            v = v * 10 + (b - '0');
        }
        if (digits == 0 || i < end && !isDelimiter(msg.getByte(i))) {
            return NO_ID;
        }
        return negative ? -v : v;
    }

    private static boolean isDelimiter(byte b) {
        return b == ',' || b == '}' || b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static int closingQuote(ByteBuf msg, int from, int end) {
        for (int i = from; i < end; i++) {
            byte b = msg.getByte(i);
            if (b == '\\') {
                i++; // whatever is escaped, it does not end the string
            } else if (b == '"') {
                return i;
            }
        }
        return -1;
    }

    private static int skipSpace(ByteBuf msg, int i, int end) {
        while (i < end) {
            byte b = msg.getByte(i);
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                break;
            }
            i++;
        }
        return i;
    }

    private static boolean matches(ByteBuf msg, int start, int length, byte[] name) {
        if (length != name.length) {
            return false;
        }
        for (int j = 0; j < length; j++) {
            if (msg.getByte(start + j) != name[j]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
