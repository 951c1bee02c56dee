package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Objects;

/** The server's identity ({@code Implementation}) and its instructions for models. */
public final class ServerInfo {

    private final String name;
    private final String version;
    private final String instructions;

    /** @param instructions may be null or empty for none */
    public ServerInfo(String name, String version, String instructions) {
        this.name = Objects.requireNonNull(name, "name");
        this.version = Objects.requireNonNull(version, "version");
        this.instructions = instructions == null || instructions.isEmpty() ? null : instructions;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** The instructions, or null. */
    public String instructions() {
        return instructions;
    }

    void writeImplementation(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("version", version);
        g.writeEndObject();
    }
}
