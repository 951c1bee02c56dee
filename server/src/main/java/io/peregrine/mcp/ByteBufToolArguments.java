package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonInput;
import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.InvalidArgumentsException;
import io.peregrine.tool.ToolArguments;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link ToolArguments} over the raw {@code arguments} slice of a request. Each accessor scans the
 * top level with a streaming parser and stops at the member it wants, which for the small argument
 * objects of typical calls is cheaper than building any tree.
 */
final class ByteBufToolArguments implements ToolArguments {

    private static final byte[] EMPTY_OBJECT = {'{', '}'};

    private final Json json;
    private final ByteBuf raw;
    /** Their first top-level strings as validation read them, or null. */
    private final TopStrings strings;

    /** @param raw the arguments object, or null for none */
    ByteBufToolArguments(Json json, ByteBuf raw) {
        this(json, raw, null);
    }

    /**
     * @param raw the arguments object, or null for none
     * @param strings what validation read of {@code raw}'s top-level strings, or null
     */
    ByteBufToolArguments(Json json, ByteBuf raw, TopStrings strings) {
        this.json = json;
        this.raw = raw;
        this.strings = strings;
    }

    /** The arguments object as it arrived, or null. */
    ByteBuf raw() {
        return raw;
    }

    @Override
    public String string(String name) throws InvalidArgumentsException {
        String value = string(name, null);
        if (value == null) {
            throw missing(name, "a string");
        }
        return value;
    }

    @Override
    public String string(String name, String defaultValue) throws InvalidArgumentsException {
        if (strings != null && raw != null) {
            String seen = strings.string(name);
            if (seen == null) {
                return defaultValue; // validation read every member: there is none by that name
            }
            if (seen != TopStrings.NOT_A_STRING) {
                return seen;
            }
        }
        return read(name, defaultValue, (p, t) -> {
            if (t != JsonToken.VALUE_STRING) {
                throw wrongType(name, "a string");
            }
            return p.getText();
        });
    }

    @Override
    public long integer(String name) throws InvalidArgumentsException {
        if (!present(name)) {
            throw missing(name, "an integer");
        }
        return integer(name, 0);
    }

    @Override
    public long integer(String name, long defaultValue) throws InvalidArgumentsException {
        return read(name, defaultValue, (p, t) -> {
            if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                return p.getLongValue();
            }
            double d = t == JsonToken.VALUE_NUMBER_FLOAT ? p.getDoubleValue() : Double.NaN;
            if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
                return (long) d;
            }
            throw wrongType(name, "an integer");
        });
    }

    @Override
    public double number(String name, double defaultValue) throws InvalidArgumentsException {
        return read(name, defaultValue, (p, t) -> {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw wrongType(name, "a number");
            }
            return p.getDoubleValue();
        });
    }

    @Override
    public boolean bool(String name, boolean defaultValue) throws InvalidArgumentsException {
        return read(name, defaultValue, (p, t) -> {
            if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                throw wrongType(name, "a boolean");
            }
            return t == JsonToken.VALUE_TRUE;
        });
    }

    /** Reads one value by a {@link ValueReader}. */
    @FunctionalInterface
    private interface ValueReader<T> {
        T read(JsonParser p, JsonToken token) throws IOException, InvalidArgumentsException;
    }

    /** The top-level member {@code name} read by {@code reader}, or {@code defaultValue} when absent or null. */
    private <T> T read(String name, T defaultValue, ValueReader<T> reader) throws InvalidArgumentsException {
        if (raw == null) {
            return defaultValue;
        }
        try (JsonInput in = json.read(raw)) {
            JsonParser p = in.parser();
            JsonToken t = seek(p, name);
            if (t == null || t == JsonToken.VALUE_NULL) {
                return defaultValue;
            }
            return reader.read(p, t);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    @Override
    public boolean has(String name) {
        try {
            return present(name);
        } catch (InvalidArgumentsException e) {
            return false;
        }
    }

    private boolean present(String name) throws InvalidArgumentsException {
        if (raw == null) {
            return false;
        }
        try (JsonInput in = json.read(raw)) {
            JsonParser p = in.parser();
            return seek(p, name) != null;
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> asMap() throws InvalidArgumentsException {
        if (raw == null) {
            return new LinkedHashMap<>();
        }
        try (JsonInput in = json.read(raw)) {
            JsonParser p = in.parser();
            // This thread's parser may still sit on the last token of the document it read before,
            // which JsonTree.read would take for the value: move to this document's first token.
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the arguments are not a JSON object");
            }
            return (Map<String, Object>) JsonTree.read(p);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    @Override
    public String json() {
        return raw == null ? "{}" : raw.toString(raw.readerIndex(), raw.readableBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public io.peregrine.rpc.RawJson rawJson() {
        return raw == null ? io.peregrine.rpc.RawJson.ofParsed("{}")
                : io.peregrine.rpc.RawJson.ofParsedUtf8(io.netty.buffer.ByteBufUtil.getBytes(raw));
    }

    @Override
    public Object value(String name) throws InvalidArgumentsException {
        if (raw == null) {
            return null;
        }
        try (JsonInput in = json.read(raw)) {
            JsonParser p = in.parser();
            JsonToken t = seek(p, name);
            return t == null ? null : JsonTree.read(p);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    @Override
    public InputStream jsonStream() {
        return raw == null ? new ByteArrayInputStream(EMPTY_OBJECT) : new ByteBufInputStream(raw.duplicate());
    }

    /** Positions the parser on the value of the top-level member {@code name}; null when absent. */
    private static JsonToken seek(JsonParser p, String name) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean match = name.equals(p.currentName());
            JsonToken v = p.nextToken();
            if (match) {
                return v;
            }
            p.skipChildren();
        }
        return null;
    }

    private static InvalidArgumentsException missing(String name, String type) {
        return new InvalidArgumentsException("missing required argument \"" + name + "\" (" + type + ")");
    }

    private static InvalidArgumentsException wrongType(String name, String type) {
        return new InvalidArgumentsException("argument \"" + name + "\" must be " + type);
    }

    private static InvalidArgumentsException unreadable(IOException e) {
        return new InvalidArgumentsException("arguments could not be read: " + e.getMessage());
    }
}
