package io.peregrine.demo;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of a window of bytes cut out of a file, where either cut may fall inside a
 * character.
 *
 * <p>A character split by a cut is left out of the text and the window shrinks to whole
 * characters, so that a reader paging from {@link #end()} gets each character exactly once.
 */
final class Utf8Window {

    /** The longest UTF-8 sequence, so the most bytes of one character a cut can leave behind. */
    private static final int MAX_SEQUENCE = 4;

    private final String text;
    private final int start;
    private final int end;

    private Utf8Window(String text, int start, int end) {
        this.text = text;
        this.start = start;
        this.end = end;
    }

    /**
     * The text of {@code bytes}, or null when they are not UTF-8.
     *
     * @param cutAtStart whether the window starts after the start of the file
     * @param cutAtEnd whether the window ends before the end of the file
     */
    static Utf8Window decode(byte[] bytes, boolean cutAtStart, boolean cutAtEnd) {
        int start = cutAtStart ? continuationPrefix(bytes) : 0;
        int end = cutAtEnd ? bytes.length - incompleteSuffix(bytes) : bytes.length;
        if (start >= end && bytes.length > 0) {
            // a window too small to hold one whole character: trimming would leave the reader stuck
            start = 0;
            end = bytes.length;
        }
        String text = strict(bytes, start, end);
        return text == null ? null : new Utf8Window(text, start, end);
    }

    /** {@code bytes[from, to)} as text, or null when they are not valid UTF-8. */
    static String strict(byte[] bytes, int from, int to) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The decoded text. */
    String text() {
        return text;
    }

    /** Index of the first byte of the window that the text covers. */
    int start() {
        return start;
    }

    /** Index after the last byte of the window that the text covers. */
    int end() {
        return end;
    }

    /** How many bytes at the start continue a character that began before the window. */
    private static int continuationPrefix(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && n < MAX_SEQUENCE - 1 && isContinuation(bytes[n])) {
            n++;
        }
        return n;
    }

    /** How many bytes at the end begin a character that the window cuts short. */
    private static int incompleteSuffix(byte[] bytes) {
        int lead = bytes.length - 1;
        while (lead >= 0 && bytes.length - lead < MAX_SEQUENCE && isContinuation(bytes[lead])) {
            lead--;
        }
        if (lead < 0) {
            return 0;
        }
        int present = bytes.length - lead;
        int needed = sequenceLength(bytes[lead]);
        // a byte that cannot start a sequence is left for strict decoding to reject
        return needed > present ? present : 0;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    /** The length of the sequence {@code lead} starts, or 0 when it cannot start one. */
    private static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        if (b < 0x80) {
            return 1;
        }
        if ((b & 0xE0) == 0xC0) {
            return 2;
        }
        if ((b & 0xF0) == 0xE0) {
            return 3;
        }
        return (b & 0xF8) == 0xF0 ? 4 : 0;
    }
}
