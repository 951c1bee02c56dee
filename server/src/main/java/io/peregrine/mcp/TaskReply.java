package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonParser;
import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonTree;
import io.peregrine.transport.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;

/**
 * Where the messages of a call running as a task go. Its answer, which a plain call would send,
 * becomes the task's outcome; messages related to it (progress, requests to the client) go to the
 * 2025 session that owns the task, and are dropped for a 2026-07-28 task, whose extension carries
 * neither. The {@link Outcome} beside the answer goes unused: the task keeps the answer whole.
 */
final class TaskReply implements Reply {

    private static final Logger log = LoggerFactory.getLogger(TaskReply.class);

    private final Json json;
    private final Task task;

    TaskReply(Json json, Task task) {
        this.json = json;
        this.task = task;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void respond(ByteBuf response, Outcome outcome) {
        try (JsonParser p = json.parser(response)) {
            task.finish((Map<String, Object>) JsonTree.read(p));
        } catch (IOException | ClassCastException e) {
            log.error("the outcome of {} could not be read back", task, e);
            task.finish(Map.of("error", Map.of("code", -32603L, "message", "Internal error: the task's outcome was lost")));
        } finally {
            response.release();
        }
    }

    @Override
    public void send(ByteBuf message) {
        Connection owner = task.owner;
        if (owner != null && owner.peer.isOpen()) {
            owner.peer.send(message);
        } else {
            message.release();
        }
    }
}
