package io.peregrine.prompt.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.prompt.PromptMessage;
import io.peregrine.tool.internal.ToolJson;

import java.io.IOException;

/** The wire form of prompt messages, as {@code prompts/get} returns them. Not API. */
public final class PromptJson {

    private PromptJson() {
    }

    /** Writes {@code message} as one JSON object: its role and its content item. */
    public static void writeMessage(PromptMessage message, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("role", message.role());
        g.writeFieldName("content");
        ToolJson.writeContent(message.content(), g);
        g.writeEndObject();
    }
}
