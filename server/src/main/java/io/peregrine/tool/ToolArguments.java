package io.peregrine.tool;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The {@code arguments} object of a {@code tools/call}, read on demand from the request's bytes.
 *
 * <p>The typed accessors scan the top level of the object with a streaming parser; nothing is
 * built until asked for. Values come as plain Java types: {@code String}, {@code long},
 * {@code double}, {@code boolean}, and for nested values a tree of {@code Map} (insertion-ordered),
 * {@code List}, {@code String}, {@code Long}/{@code BigInteger}, {@code Double}/{@code BigDecimal},
 * {@code Boolean} and {@code null}. An instance is valid only during the call it was passed to.
 */
public interface ToolArguments {

    /** The required string argument {@code name}. */
    String string(String name) throws InvalidArgumentsException;

    /** The string argument {@code name}, or {@code defaultValue} when it is absent or null. */
    String string(String name, String defaultValue) throws InvalidArgumentsException;

    /** The required integer argument {@code name}. */
    long integer(String name) throws InvalidArgumentsException;

    /** The integer argument {@code name}, or {@code defaultValue} when it is absent or null. */
    long integer(String name, long defaultValue) throws InvalidArgumentsException;

    /** The number argument {@code name}, or {@code defaultValue} when it is absent or null. */
    double number(String name, double defaultValue) throws InvalidArgumentsException;

    /** The boolean argument {@code name}, or {@code defaultValue} when it is absent or null. */
    boolean bool(String name, boolean defaultValue) throws InvalidArgumentsException;

    /** Whether the argument {@code name} is present (even if null). */
    boolean has(String name);

    /** The argument {@code name} as a tree of plain values, or null when it is absent or null. */
    default Object value(String name) throws InvalidArgumentsException {
        return asMap().get(name);
    }

    /** The object argument {@code name}, or null when it is absent or null. */
    @SuppressWarnings("unchecked")
    default Map<String, Object> object(String name) throws InvalidArgumentsException {
        Object value = value(name);
        if (value != null && !(value instanceof Map)) {
            throw new InvalidArgumentsException("argument \"" + name + "\" must be an object");
        }
        return (Map<String, Object>) value;
    }

    /** The array argument {@code name}, or null when it is absent or null. */
    @SuppressWarnings("unchecked")
    default List<Object> list(String name) throws InvalidArgumentsException {
        Object value = value(name);
        if (value != null && !(value instanceof List)) {
            throw new InvalidArgumentsException("argument \"" + name + "\" must be an array");
        }
        return (List<Object>) value;
    }

    /** The whole arguments object as a tree of plain values. */
    Map<String, Object> asMap() throws InvalidArgumentsException;

    /** The arguments as JSON text ({@code {}} when the call had none). */
    String json();

    /**
     * The arguments as one JSON value to pass on as they are, such as to another server; where the
     * server can, the request's bytes, never decoded into text.
     */
    default io.peregrine.rpc.RawJson rawJson() {
        return io.peregrine.rpc.RawJson.ofParsed(json());
    }

    /**
     * The arguments object as UTF-8 JSON, for tools that read large inputs with a streaming parser
     * of their own; read without copying the request where the server can.
     */
    default InputStream jsonStream() {
        return new ByteArrayInputStream(json().getBytes(StandardCharsets.UTF_8));
    }
}
