package io.peregrine.tool;

import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;
import java.util.Map;

/**
 * The {@code arguments} object of a {@code tools/call}, read on demand from the request's bytes.
 *
 * <p>The typed accessors scan the top level of the object with a streaming parser; nothing is
 * built until asked for. An instance is valid only during the call it was passed to.
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

    /** The whole arguments object as a tree of plain Java values (see {@code io.peregrine.rpc.JsonTree}). */
    Map<String, Object> asMap() throws InvalidArgumentsException;

    /** The arguments as JSON text ({@code {}} when the call had none). */
    String json();

    /** A fresh streaming parser over the arguments object, for tools that read large inputs. */
    JsonParser parser() throws IOException;
}
