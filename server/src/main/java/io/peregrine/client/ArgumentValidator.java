package io.peregrine.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a call's arguments against the tool's {@code inputSchema} before the call leaves the
 * process, with the validator, dialect and messages the server uses (networknt, 2020-12 by
 * default, a {@code $schema} naming another dialect honoured, remote {@code $ref}s never fetched,
 * MCP's {@code x-mcp-header} known), so that a call refused here would have been refused there
 * with the same words. The server's {@code io.peregrine.mcp.SchemaValidator} is package-private:
 * the two keep the same settings until they share one class.
 *
 * <p>Schemas are compiled once per listed tool definition; a new list brings new definitions.
 */
final class ArgumentValidator {

    private static final int MAX_REPORTED_ERRORS = 5;

    private static final Dialect DIALECT = Dialect.builder(Dialects.getDraft202012())
            .keyword(new NonValidationKeyword("x-mcp-header")).build();

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(DIALECT,
            b -> b.schemaLoader(loader -> loader.fetchRemoteResources(false)));
    private final ObjectMapper mapper = new ObjectMapper(Json.DEFAULT.factory().copy());
    private final Map<ToolInfo, Schema> compiled = new ConcurrentHashMap<>();

    /** The problems of {@code arguments} against the tool's schema; empty when they are valid. */
    List<String> validate(ToolInfo tool, Map<String, ?> arguments) {
        Schema schema;
        try {
            schema = compiled.computeIfAbsent(tool, t -> {
                Schema s = registry.getSchema(JsonTree.toJson(t.inputSchema()));
                s.initializeValidators();
                return s;
            });
        } catch (RuntimeException e) {
            // A schema this side cannot use is the server's to judge.
            return List.of();
        }
        JsonNode node;
        try {
            node = mapper.readTree(JsonTree.toJson(arguments != null ? arguments : Map.of()));
        } catch (IOException e) {
            return List.of("arguments could not be read: " + e.getMessage());
        }
        return messages(schema.validate(node));
    }

    /** Forgets the compiled schemas of definitions no longer listed. */
    void retain(List<ToolInfo> tools) {
        compiled.keySet().retainAll(tools);
    }

    private static List<String> messages(List<Error> errors) {
        if (errors.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(Math.min(errors.size(), MAX_REPORTED_ERRORS + 1));
        for (Error e : errors) {
            if (out.size() == MAX_REPORTED_ERRORS) {
                out.add("and " + (errors.size() - MAX_REPORTED_ERRORS) + " more");
                break;
            }
            out.add(e.toString());
        }
        return out;
    }
}
