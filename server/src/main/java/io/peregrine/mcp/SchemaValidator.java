package io.peregrine.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonInput;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RawJson;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Schema validation of tool arguments and structured results, with the networknt validator.
 * Schemas default to the 2020-12 dialect, as MCP requires; a {@code $schema} naming another
 * dialect (draft-07, 2019-09, ...) is honoured. Remote {@code $ref}s are never fetched.
 *
 * <p>The full validator works on Jackson's tree model, so a call it validates pays for building
 * that tree from the argument bytes. Arguments of a schema within {@link FastSchema}'s subset are
 * checked first as they stream past; the tree is built only for those it cannot vouch for.
 */
final class SchemaValidator {

    private static final int MAX_REPORTED_ERRORS = 5;

    /** 2020-12, knowing MCP's {@code x-mcp-header} annotation (checked by {@link ParamHeaders}, not here). */
    private static final Dialect DIALECT = Dialect.builder(Dialects.getDraft202012())
            .keyword(new NonValidationKeyword("x-mcp-header")).build();

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(DIALECT,
            b -> b.schemaLoader(loader -> loader.fetchRemoteResources(false)));
    private final Json json;
    private final ObjectMapper mapper;

    SchemaValidator(Json json) {
        this.json = json;
        this.mapper = new ObjectMapper(json.factory().copy());
    }

    /** Compiles a schema; refuses one that cannot be loaded. */
    Schema compile(String owner, RawJson schema) {
        try {
            Schema compiled = registry.getSchema(schema.json());
            compiled.initializeValidators();
            return compiled;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(owner + " is not a usable JSON Schema: " + e.getMessage(), e);
        }
    }

    /**
     * The problems of {@code arguments} (null means {@code {}}) against {@code schema}; empty when
     * valid. {@code fast} (null when the schema is outside its subset) answers first while the
     * arguments stream past; only what it cannot vouch for builds the tree of the full validator.
     */
    List<String> validate(FastSchema fast, Schema schema, ByteBuf arguments) throws IOException {
        return validate(fast, null, schema, arguments);
    }

    /**
     * As {@link #validate(FastSchema, Schema, ByteBuf)}, where {@code vouchedBy} is the schema
     * that already found these arguments surely valid while the request was read (null: none):
     * when it is {@code fast} itself, the arguments are not read again.
     */
    List<String> validate(FastSchema fast, FastSchema vouchedBy, Schema schema, ByteBuf arguments) throws IOException {
        if (fast != null && (vouchedBy == fast || surelyValid(fast, arguments))) {
            return List.of();
        }
        return validate(schema, arguments);
    }

    private boolean surelyValid(FastSchema fast, ByteBuf arguments) throws IOException {
        if (arguments == null) {
            return fast.acceptsEmptyObject();
        }
        try (JsonInput in = json.read(arguments)) {
            return fast.accepts(in.parser());
        }
    }

    /** The problems of {@code arguments} (null means {@code {}}) against {@code schema}; empty when valid. */
    List<String> validate(Schema schema, ByteBuf arguments) throws IOException {
        JsonNode node;
        if (arguments == null) {
            node = mapper.createObjectNode();
        } else if (arguments.hasArray()) {
            node = mapper.readTree(arguments.array(), arguments.arrayOffset() + arguments.readerIndex(),
                    arguments.readableBytes());
        } else {
            byte[] copy = new byte[arguments.readableBytes()];
            arguments.getBytes(arguments.readerIndex(), copy);
            node = mapper.readTree(copy);
        }
        return messages(schema.validate(node));
    }

    /** The problems of a tree value (structured content) against {@code schema}. */
    List<String> validateTree(Schema schema, Object tree) throws IOException {
        return messages(schema.validate(mapper.readTree(JsonTree.toJson(tree))));
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
