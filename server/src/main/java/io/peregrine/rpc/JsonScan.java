package io.peregrine.rpc;

/**
 * Finds where a JSON value ends in a byte array, checking it as it goes: the grammar of RFC 8259,
 * well-formed UTF-8 in strings (no overlong forms, no surrogates), no control characters in
 * strings, and limits on nesting and on the length of strings and numbers. It is at least as
 * strict as {@link Json}'s parser: whatever it accepts, the parser accepts; what it refuses may
 * still be JSON (a string over the limit in bytes but not in characters), for the caller to read
 * the slow way. It allocates nothing and looks at each byte once.
 */
final class JsonScan {

    /** What numbers the parser takes at most ({@link Json}'s stream constraints). */
    private static final int MAX_NUMBER_LENGTH = 1000;
    /** What member names the parser takes at most (Jackson's default). */
    private static final int MAX_NAME_LENGTH = 50_000;
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private final int maxDepth;
    private final int maxStringBytes;

    /**
     * @param maxDepth       the most nested objects and arrays, counting the outermost as 1
     * @param maxStringBytes the longest string, in bytes between its quotes
     */
    JsonScan(int maxDepth, int maxStringBytes) {
        this.maxDepth = maxDepth;
        this.maxStringBytes = maxStringBytes;
    }

    /**
     * Just past the value that starts at {@code i} (no whitespace before it), which lies within
     * {@code end}, at nesting {@code depth} (0 for a value outside any object or array); -1 when
     * it is not a well-formed value within the limits.
     */
    int value(byte[] b, int i, int end, int depth) {
        if (i >= end) {
            return -1;
        }
        switch (b[i]) {
            case '{':
                return object(b, i + 1, end, depth + 1);
            case '[':
                return array(b, i + 1, end, depth + 1);
            case '"':
                return string(b, i + 1, end, maxStringBytes);
            case 't':
                return literal(b, i, end, TRUE);
            case 'f':
                return literal(b, i, end, FALSE);
            case 'n':
                return literal(b, i, end, NULL);
            default:
                return number(b, i, end);
        }
    }

    /** Past the whitespace at {@code i}: space, tab, line feed, carriage return. */
    static int whitespace(byte[] b, int i, int end) {
        while (i < end) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return i;
            }
            i++;
        }
        return i;
    }

    private int object(byte[] b, int i, int end, int depth) {
        if (depth > maxDepth) {
            return -1;
        }
        i = whitespace(b, i, end);
        if (i < end && b[i] == '}') {
            return i + 1;
        }
        while (true) {
            if (i >= end || b[i] != '"') {
                return -1;
            }
            i = string(b, i + 1, end, Math.min(maxStringBytes, MAX_NAME_LENGTH));
            if (i < 0) {
                return -1;
            }
            i = whitespace(b, i, end);
            if (i >= end || b[i] != ':') {
                return -1;
            }
            i = value(b, whitespace(b, i + 1, end), end, depth);
            if (i < 0) {
                return -1;
            }
            i = whitespace(b, i, end);
            if (i >= end) {
                return -1;
            }
            if (b[i] == '}') {
                return i + 1;
            }
            if (b[i] != ',') {
                return -1;
            }
            i = whitespace(b, i + 1, end);
        }
    }

    private int array(byte[] b, int i, int end, int depth) {
        if (depth > maxDepth) {
            return -1;
        }
        i = whitespace(b, i, end);
        if (i < end && b[i] == ']') {
            return i + 1;
        }
        while (true) {
            i = value(b, i, end, depth);
            if (i < 0) {
                return -1;
            }
            i = whitespace(b, i, end);
            if (i >= end) {
                return -1;
            }
            if (b[i] == ']') {
                return i + 1;
            }
            if (b[i] != ',') {
                return -1;
            }
            i = whitespace(b, i + 1, end);
        }
    }

    /**
     * Past the closing quote of the string whose first byte after the opening quote is at
     * {@code i}, at most {@code limit} bytes long.
     */
    private static int string(byte[] b, int i, int end, int limit) {
        int start = i;
        while (i < end) {
            int c = b[i];
            if (c == '"') {
                return i - start <= limit ? i + 1 : -1;
            }
            if (c == '\\') {
                if (i + 1 >= end) {
                    return -1;
                }
                switch (b[i + 1]) {
                    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                        i += 2;
                        break;
                    case 'u':
                        if (i + 6 > end || !hex(b[i + 2]) || !hex(b[i + 3]) || !hex(b[i + 4]) || !hex(b[i + 5])) {
                            return -1;
                        }
                        i += 6;
                        break;
                    default:
                        return -1;
                }
            } else if (c >= 0x20) {
                i++;
            } else if (c >= 0) {
                return -1; // a control character
            } else {
                i = utf8(b, i, end);
                if (i < 0) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Past the multi-byte UTF-8 sequence whose lead byte is at {@code i} and which ends before
     * {@code end}; -1 when it is malformed (an overlong form, a surrogate, beyond U+10FFFF, cut short).
     */
    static int utf8(byte[] b, int i, int end) {
        int lead = b[i] & 0xff;
        int more;
        int low = 0x80;
        int high = 0xbf;
        if (lead >= 0xc2 && lead <= 0xdf) {
            more = 1;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            more = 2;
            if (lead == 0xe0) {
                low = 0xa0; // no overlong forms
            } else if (lead == 0xed) {
                high = 0x9f; // no surrogates
            }
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            more = 3;
            if (lead == 0xf0) {
                low = 0x90;
            } else if (lead == 0xf4) {
                high = 0x8f; // nothing above U+10FFFF
            }
        } else {
            return -1;
        }
        if (i + more >= end) {
            return -1;
        }
        int second = b[i + 1] & 0xff;
        if (second < low || second > high) {
            return -1;
        }
        for (int k = 2; k <= more; k++) {
            if ((b[i + k] & 0xc0) != 0x80) {
                return -1;
            }
        }
        return i + more + 1;
    }

    private static boolean hex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int literal(byte[] b, int i, int end, byte[] literal) {
        if (i + literal.length > end) {
            return -1;
        }
        for (int k = 0; k < literal.length; k++) {
            if (b[i + k] != literal[k]) {
                return -1;
            }
        }
        return i + literal.length;
    }

    /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}; what follows is the caller's to check. */
    private static int number(byte[] b, int i, int end) {
        int start = i;
        if (i < end && b[i] == '-') {
            i++;
        }
        if (i >= end) {
            return -1;
        }
        if (b[i] == '0') {
            i++;
        } else if (b[i] >= '1' && b[i] <= '9') {
            i = digits(b, i + 1, end);
        } else {
            return -1;
        }
        if (i < end && b[i] == '.') {
            int first = i + 1;
            i = digits(b, first, end);
            if (i == first) {
                return -1;
            }
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int first = i;
            i = digits(b, first, end);
            if (i == first) {
                return -1;
            }
        }
        return i - start <= MAX_NUMBER_LENGTH ? i : -1;
    }

    private static int digits(byte[] b, int i, int end) {
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i;
    }
}
