package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A JSON value already encoded, written as it is. The text is checked once, on creation. It is
 * held as text or, when it came as bytes (a request's {@code arguments}, relayed by the gateway),
 * as those UTF-8 bytes, written without being decoded and encoded again.
 */
public final class RawJson {

    private final byte[] utf8;
    private final int offset;
    private final int length;
    private final Utf8Value bytes;
    private volatile String json;

    private RawJson(String json, byte[] utf8, int offset, int length) {
        this.json = json;
        this.utf8 = utf8;
        this.offset = offset;
        this.length = length;
        this.bytes = utf8 != null ? new Utf8Value() : null;
    }

    private RawJson(String json) {
        this(json, null, 0, 0);
    }

    /**
     * Wraps JSON text after checking that it is exactly one well-formed JSON value. The text is
     * re-encoded compactly (numbers and key order kept as written), so that it can never carry a
     * line break into a newline-framed message.
     */
    public static RawJson of(String json) {
        java.io.StringWriter out = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonParser p = Json.DEFAULT.parser(json);
             com.fasterxml.jackson.core.JsonGenerator g = Json.DEFAULT.factory().createGenerator(out)) {
            if (p.nextToken() == null) {
                throw new IOException("no JSON value");
            }
            g.copyCurrentStructure(p);
            if (p.nextToken() != null) {
                throw new IOException("unexpected data after the JSON value");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a single JSON value: " + e.getMessage(), e);
        }
        return new RawJson(out.toString());
    }

    /**
     * Wraps text a parser has read already as exactly one well-formed JSON value, such as a
     * request's {@code arguments}: it is re-encoded only when its whitespace holds a line break.
     * Text that is not one well-formed value is the caller's mistake, and is not caught here.
     */
    public static RawJson ofParsed(String json) {
        return json.indexOf('\n') < 0 && json.indexOf('\r') < 0 ? new RawJson(json) : of(json);
    }

    /**
     * {@link #ofParsed(String)} for the UTF-8 bytes of the value, which this takes over (the caller
     * no longer changes them). Written as they are, without being decoded.
     */
    public static RawJson ofParsedUtf8(byte[] utf8) {
        return ofParsedUtf8(utf8, 0, utf8.length);
    }

    /**
     * {@link #ofParsedUtf8(byte[])} for the value at {@code [offset, offset + length)} of
     * {@code utf8}. Bytes that are not well-formed UTF-8 (a parser that skipped a value did not
     * decode its strings) are decoded with replacement characters and encoded again, so that they
     * never reach another parser as they are.
     */
    public static RawJson ofParsedUtf8(byte[] utf8, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, utf8.length);
        if (!oneLineUtf8(utf8, offset, offset + length)) {
            return of(new String(utf8, offset, length, StandardCharsets.UTF_8));
        }
        return new RawJson(null, utf8, offset, length);
    }

    /** Whether {@code [from, to)} is well-formed UTF-8 without a line break. */
    static boolean oneLineUtf8(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            byte c = b[i];
            if (c >= 0) {
                if (c == '\n' || c == '\r') {
                    return false;
                }
                i++;
            } else {
                i = JsonScan.utf8(b, i, to);
                if (i < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    public String json() {
        String text = json;
        if (text == null) {
            text = new String(utf8, offset, length, StandardCharsets.UTF_8);
            json = text;
        }
        return text;
    }

    /** Writes the value where {@code g} expects one; bytes go into a byte-writing generator as they are. */
    public void writeTo(JsonGenerator g) throws IOException {
        if (bytes != null && g instanceof com.fasterxml.jackson.core.json.UTF8JsonGenerator) {
            g.writeRawValue(bytes);
        } else {
            g.writeRawValue(json);
        }
    }

    @Override
    public String toString() {
        return json();
    }

    /**
     * The bytes as a {@code SerializableString}, which a {@code UTF8JsonGenerator} copies into its
     * buffer as they are on a raw write; the quoted forms, which raw writes never ask for, go
     * through the text.
     */
    private final class Utf8Value implements com.fasterxml.jackson.core.SerializableString {

        @Override
        public String getValue() {
            return json();
        }

        @Override
        public int charLength() {
            return json().length();
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return java.util.Arrays.copyOfRange(utf8, offset, offset + length);
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int at) {
            if (at + length > buffer.length) {
                return -1;
            }
            System.arraycopy(utf8, offset, buffer, at, length);
            return length;
        }

        @Override
        public int writeUnquotedUTF8(java.io.OutputStream out) throws IOException {
            out.write(utf8, offset, length);
            return length;
        }

        @Override
        public int putUnquotedUTF8(java.nio.ByteBuffer buffer) {
            if (buffer.remaining() < length) {
                return -1;
            }
            buffer.put(utf8, offset, length);
            return length;
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            return text().appendUnquoted(buffer, offset);
        }

        @Override
        public char[] asQuotedChars() {
            return text().asQuotedChars();
        }

        @Override
        public byte[] asQuotedUTF8() {
            return text().asQuotedUTF8();
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            return text().appendQuotedUTF8(buffer, offset);
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            return text().appendQuoted(buffer, offset);
        }

        @Override
        public int writeQuotedUTF8(java.io.OutputStream out) throws IOException {
            return text().writeQuotedUTF8(out);
        }

        @Override
        public int putQuotedUTF8(java.nio.ByteBuffer buffer) throws IOException {
            return text().putQuotedUTF8(buffer);
        }

        private com.fasterxml.jackson.core.io.SerializedString text() {
            return new com.fasterxml.jackson.core.io.SerializedString(json());
        }
    }
}
