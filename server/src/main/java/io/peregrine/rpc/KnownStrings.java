package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;

/**
 * Maps the characters of a parsed string value to a canonical String without allocating, for a
 * fixed set of known values (method names, protocol versions). Unknown values fall back to a
 * fresh String.
 *
 * <p>Open addressing over a power-of-two table; built once, read-only afterwards, so it is safe
 * to share between event loops.
 */
public final class KnownStrings {

    private final String[] table;
    private final int mask;

    public KnownStrings(Collection<String> names) {
        int size = Integer.highestOneBit(Math.max(4, names.size() * 4) - 1) << 1;
        table = new String[size];
        mask = size - 1;
        for (String name : names) {
            int i = hash(name.toCharArray(), 0, name.length()) & mask;
            while (table[i] != null && !table[i].equals(name)) {
                i = (i + 1) & mask;
            }
            table[i] = name;
        }
    }

    /** The canonical String for the parser's current string (or field name) value. */
    public String intern(JsonParser p) throws IOException {
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        int length = p.getTextLength();
        int i = hash(chars, offset, length) & mask;
        String candidate;
        while ((candidate = table[i]) != null) {
            if (matches(candidate, chars, offset, length)) {
                return candidate;
            }
            i = (i + 1) & mask;
        }
        return new String(chars, offset, length);
    }

    private static boolean matches(String s, char[] chars, int offset, int length) {
        if (s.length() != length) {
            return false;
        }
        for (int j = 0; j < length; j++) {
            if (s.charAt(j) != chars[offset + j]) {
                return false;
            }
        }
        return true;
    }

    private static int hash(char[] chars, int offset, int length) {
        int h = 0;
        for (int j = 0; j < length; j++) {
            h = 31 * h + chars[offset + j];
        }
        return h ^ (h >>> 16);
    }

    @Override
    public String toString() {
        return "KnownStrings" + Arrays.toString(Arrays.stream(table).filter(s -> s != null).toArray());
    }
}
