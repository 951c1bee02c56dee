package io.peregrine.client;

import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RawJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * A {@code tools/call} result kept as the bytes the server wrote, for a client that relays results
 * ({@link PeregrineClient.Builder#relayResults}): found plain by a scan of its bytes, it is read into
 * a tree only if something asks for more than what relaying needs.
 *
 * <p>Plain means: an object whose {@code content} is an array of {@code text}, {@code image} and
 * {@code audio} items (no resource, whose URI a relay may rewrite or record, and no type it does not
 * know), whose {@code isError}, if any, is {@code true} or {@code false}, whose {@code resultType},
 * if any, is {@code complete}, and whose member names carry no escapes. Anything else is read as a
 * tree, as every result was before. The scan trusts the bytes to be well-formed JSON, which the
 * envelope decoder checked as it skipped them; what surprises it makes the result not plain.
 */
final class PlainToolResult extends AbstractMap<String, Object> {

    private static final byte[] CONTENT = bytes("content");
    private static final byte[] STRUCTURED = bytes("structuredContent");
    private static final byte[] IS_ERROR = bytes("isError");
    private static final byte[] META = bytes("_meta");
    private static final byte[] RESULT_TYPE = bytes("resultType");
    private static final byte[] TYPE = bytes("type");
    private static final byte[] SERVER_INFO = bytes("io.modelcontextprotocol/serverInfo");
    private static final byte[] COMPLETE = bytes("\"complete\"");
    private static final byte[] TRUE = bytes("true");
    private static final byte[] FALSE = bytes("false");
    private static final byte[] NULL = bytes("null");
    private static final byte[][] PLAIN_TYPES = {bytes("\"text\""), bytes("\"image\""), bytes("\"audio\"")};

    private final byte[] json;
    /** Where the result lies in {@code json}. */
    private final int start;
    private final int end;
    private final int contentStart;
    private final int contentEnd;
    private final int structuredStart;
    private final int structuredEnd;
    private final int metaStart;
    private final int metaEnd;
    private final boolean error;
    /** The {@code isError} member as a tree holds it: null when absent. */
    private final Boolean errorMember;
    private final boolean typed;
    private volatile Map<String, Object> tree;

    private PlainToolResult(byte[] json, int start, int end, int[] spans, Boolean errorMember, boolean typed) {
        this.json = json;
        this.start = start;
        this.end = end;
        this.contentStart = spans[0];
        this.contentEnd = spans[1];
        this.structuredStart = spans[2];
        this.structuredEnd = spans[3];
        this.metaStart = spans[4];
        this.metaEnd = spans[5];
        this.error = Boolean.TRUE.equals(errorMember);
        this.errorMember = errorMember;
        this.typed = typed;
    }

    /** The result in {@code json} when it is plain, else null. */
    static PlainToolResult scan(byte[] json) {
        return scan(json, 0, json.length);
    }

    /**
     * The result that lies from {@code start} to {@code end} in {@code json} when it is plain, else
     * null; the array is kept, not copied.
     */
    static PlainToolResult scan(byte[] json, int start, int end) {
        // content, structuredContent, _meta: start and end of each value (-1: absent).
        int[] spans = {-1, -1, -1, -1, -1, -1};
        Boolean error = null;
        boolean typed = false;
        int i = skipWhitespace(json, start);
        if (i >= json.length || json[i] != '{') {
            return null;
        }
        i = skipWhitespace(json, i + 1);
        if (i < json.length && json[i] == '}') {
            return null; // no content
        }
        while (true) {
            if (i >= json.length || json[i] != '"') {
                return null;
            }
            int nameStart = i + 1;
            int nameEnd = plainStringEnd(json, i);
            if (nameEnd < 0) {
                return null;
            }
            i = skipWhitespace(json, nameEnd + 1);
            if (i >= json.length || json[i] != ':') {
                return null;
            }
            int valueStart = skipWhitespace(json, i + 1);
            boolean content = is(json, nameStart, nameEnd, CONTENT);
            // The content is checked as it is skipped: each byte is looked at once.
            int valueEnd = content ? plainContent(json, valueStart) : skipValue(json, valueStart);
            if (valueEnd < 0) {
                return null;
            }
            if (content) {
                spans[0] = valueStart;
                spans[1] = valueEnd;
            } else if (is(json, nameStart, nameEnd, IS_ERROR)) {
                if (is(json, valueStart, valueEnd, TRUE)) {
                    error = Boolean.TRUE;
                } else if (is(json, valueStart, valueEnd, FALSE)) {
                    error = Boolean.FALSE;
                } else {
                    return null;
                }
            } else if (is(json, nameStart, nameEnd, STRUCTURED)) {
                if (!is(json, valueStart, valueEnd, NULL)) {
                    spans[2] = valueStart;
                    spans[3] = valueEnd;
                }
            } else if (is(json, nameStart, nameEnd, META)) {
                if (json[valueStart] != '{') {
                    return null;
                }
                if (!onlyServerInfo(json, valueStart)) {
                    spans[4] = valueStart;
                    spans[5] = valueEnd;
                }
            } else if (is(json, nameStart, nameEnd, RESULT_TYPE)) {
                if (!is(json, valueStart, valueEnd, COMPLETE)) {
                    return null; // input_required, task: the caller reads those
                }
                typed = true;
            }
            i = skipWhitespace(json, valueEnd);
            if (i >= json.length) {
                return null;
            }
            if (json[i] == '}') {
                break;
            }
            if (json[i] != ',') {
                return null;
            }
            i = skipWhitespace(json, i + 1);
        }
        if (spans[0] < 0 || skipWhitespace(json, i + 1, end) != end) {
            return null;
        }
        return new PlainToolResult(json, start, end, spans, error, typed);
    }

    /**
     * Just past the array at {@code start} when it holds only objects whose {@code type} is a plain
     * one, else -1.
     */
    private static int plainContent(byte[] json, int start) {
        if (start >= json.length || json[start] != '[') {
            return -1;
        }
        int i = skipWhitespace(json, start + 1);
        if (i < json.length && json[i] == ']') {
            return i + 1;
        }
        while (i < json.length) {
            i = plainItem(json, i);
            if (i < 0) {
                return -1;
            }
            i = skipWhitespace(json, i);
            if (i >= json.length) {
                return -1;
            }
            if (json[i] == ']') {
                return i + 1;
            }
            if (json[i] != ',') {
                return -1;
            }
            i = skipWhitespace(json, i + 1);
        }
        return -1;
    }

    /** Just past the object at {@code start} when its {@code type} is text, image or audio, else -1. */
    private static int plainItem(byte[] json, int start) {
        if (json[start] != '{') {
            return -1;
        }
        boolean plain = false;
        int i = skipWhitespace(json, start + 1);
        if (i < json.length && json[i] == '}') {
            return -1; // no type
        }
        while (i < json.length && json[i] == '"') {
            int nameStart = i + 1;
            int nameEnd = plainStringEnd(json, i);
            if (nameEnd < 0) {
                return -1;
            }
            i = skipWhitespace(json, nameEnd + 1);
            if (i >= json.length || json[i] != ':') {
                return -1;
            }
            int valueStart = skipWhitespace(json, i + 1);
            int valueEnd = skipValue(json, valueStart);
            if (valueEnd < 0) {
                return -1;
            }
            if (is(json, nameStart, nameEnd, TYPE)) {
                plain = false;
                for (byte[] type : PLAIN_TYPES) {
                    if (is(json, valueStart, valueEnd, type)) {
                        plain = true;
                        break;
                    }
                }
                if (!plain) {
                    return -1;
                }
            }
            i = skipWhitespace(json, valueEnd);
            if (i >= json.length) {
                return -1;
            }
            if (json[i] == '}') {
                return plain ? i + 1 : -1;
            }
            if (json[i] != ',') {
                return -1;
            }
            i = skipWhitespace(json, i + 1);
        }
        return -1;
    }

    /**
     * Whether the object at {@code start} holds nothing but the server's own info (2026-07-28), which
     * is about the server that answered rather than about the result.
     */
    private static boolean onlyServerInfo(byte[] json, int start) {
        int i = skipWhitespace(json, start + 1);
        while (i < json.length && json[i] == '"') {
            int nameEnd = plainStringEnd(json, i);
            if (nameEnd < 0 || !is(json, i + 1, nameEnd, SERVER_INFO)) {
                return false;
            }
            i = skipWhitespace(json, nameEnd + 1);
            if (i >= json.length || json[i] != ':') {
                return false;
            }
            i = skipValue(json, skipWhitespace(json, i + 1));
            if (i < 0) {
                return false;
            }
            i = skipWhitespace(json, i);
            if (i < json.length && json[i] == ',') {
                i = skipWhitespace(json, i + 1);
            }
        }
        return i < json.length && json[i] == '}';
    }

    /** The index of the closing quote of the string at {@code i}, or -1 if it holds an escape. */
    private static int plainStringEnd(byte[] json, int i) {
        for (int j = i + 1; j < json.length; j++) {
            if (json[j] == '"') {
                return j;
            }
            if (json[j] == '\\') {
                return -1;
            }
        }
        return -1;
    }

    /** Just past the value at {@code i}, or -1. */
    static int skipValue(byte[] json, int i) {
        if (i >= json.length) {
            return -1;
        }
        byte c = json[i];
        if (c == '"') {
            return skipString(json, i);
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            while (i < json.length) {
                c = json[i];
                if (c == '"') {
                    i = skipString(json, i);
                    if (i < 0) {
                        return -1;
                    }
                    continue;
                }
                if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0) {
                        return i + 1;
                    }
                }
                i++;
            }
            return -1;
        }
        int start = i;
        while (i < json.length && c != ',' && c != '}' && c != ']' && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            c = ++i < json.length ? json[i] : 0;
        }
        return i > start ? i : -1;
    }

    private static int skipString(byte[] json, int i) {
        for (int j = i + 1; j < json.length; j++) {
            byte c = json[j];
            if (c == '\\') {
                j++;
            } else if (c == '"') {
                return j + 1;
            }
        }
        return -1;
    }

    private static int skipWhitespace(byte[] json, int i) {
        return skipWhitespace(json, i, json.length);
    }

    private static int skipWhitespace(byte[] json, int i, int end) {
        while (i < end && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) {
            i++;
        }
        return i;
    }

    private static boolean is(byte[] json, int start, int end, byte[] expected) {
        return java.util.Arrays.equals(json, start, end, expected, 0, expected.length);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What relaying the result needs, without reading it; its {@code _meta} leaves out the server's own info. */
    CallToolResult.Relayed relayed() {
        return new CallToolResult.Relayed(
                RawJson.ofParsedUtf8(json, contentStart, contentEnd - contentStart),
                structuredStart < 0 ? null : RawJson.ofParsedUtf8(json, structuredStart, structuredEnd - structuredStart),
                error,
                metaStart < 0 ? null : RawJson.ofParsedUtf8(json, metaStart, metaEnd - metaStart));
    }

    @Override
    public Object get(Object key) {
        if ("resultType".equals(key)) {
            return typed ? "complete" : null;
        }
        if ("isError".equals(key) && tree == null) {
            return errorMember;
        }
        return tree().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return tree().containsKey(key);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return tree().entrySet();
    }

    /** The result read as a tree, once, when first asked. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> tree() {
        Map<String, Object> t = tree;
        if (t == null) {
            try (com.fasterxml.jackson.core.JsonParser p = Json.DEFAULT.parser(
                    io.netty.buffer.Unpooled.wrappedBuffer(json, start, end - start))) {
                t = (Map<String, Object>) JsonTree.read(p);
            } catch (IOException e) {
                throw new IllegalStateException("a result kept as bytes could not be read: " + e.getMessage(), e);
            }
            tree = t;
        }
        return t;
    }
}
