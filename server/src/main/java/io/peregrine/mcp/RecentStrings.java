package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;

/**
 * Maps the characters of a parsed string to the same String it was the last time, without
 * allocating: for values that recur request after request but are not known in advance, such
 * as the bearer token a 2026-07-28 client repeats in every request's {@code _meta}. Then the
 * connection's "same credentials as before" check is one reference comparison and no garbage.
 *
 * <p>A direct-mapped table of recent values: a slot keeps the last string that hashed to it.
 * Shared by event loops without locks: a String is immutable, so a racy write publishes it safely,
 * and a lost write only costs one allocation later. Bounded: {@value #SLOTS} slots of strings of
 * at most {@value #MAX_LENGTH} characters.
 */
final class RecentStrings {

    private static final int SLOTS = 256;
    private static final int MAX_LENGTH = 4096;

    private final String[] table = new String[SLOTS];

    /** The parser's current string value, as the String seen last time when there was one. */
    String intern(JsonParser p) throws IOException {
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        int length = p.getTextLength();
        if (length > MAX_LENGTH) {
            return new String(chars, offset, length);
        }
        int h = 0;
        for (int j = 0; j < length; j++) {
            h = 31 * h + chars[offset + j];
        }
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        String candidate = table[slot];
        if (candidate != null && candidate.length() == length && matches(candidate, chars, offset, length)) {
            return candidate;
        }
        String s = new String(chars, offset, length);
        table[slot] = s;
        return s;
    }

    private static boolean matches(String s, char[] chars, int offset, int length) {
        for (int j = 0; j < length; j++) {
            if (s.charAt(j) != chars[offset + j]) {
                return false;
            }
        }
        return true;
    }
}
