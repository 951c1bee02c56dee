package io.peregrine.client;

import java.util.Map;

/**
 * A task: a tool call the server runs in the background, polled by id.
 *
 * @param taskId        the task's id
 * @param status        {@code working}, {@code input_required}, {@code completed}, {@code failed} or {@code cancelled}
 * @param statusMessage a human-readable word on the status, or null
 * @param pollInterval  how often the server suggests polling, in milliseconds ({@code pollInterval} in
 *                      2025-11-25, {@code pollIntervalMs} in 2026-07-28), or null
 * @param raw           the task object as sent
 */
public record TaskInfo(String taskId, String status, String statusMessage, Long pollInterval, Map<String, Object> raw) {

    /** Whether the task has ended, one way or another. */
    public boolean isTerminal() {
        return "completed".equals(status) || "failed".equals(status) || "cancelled".equals(status);
    }

    /** Reads a task from a result: {@code {"task":{...}}} (2025-11-25) or the flat 2026-07-28 shape. */
    static TaskInfo from(Map<String, Object> result) {
        Map<String, Object> t = result.get("task") instanceof Map ? Trees.objectOrEmpty(result.get("task")) : result;
        Object poll = t.get("pollInterval") != null ? t.get("pollInterval") : t.get("pollIntervalMs");
        return new TaskInfo(Trees.string(t.get("taskId")), Trees.string(t.get("status")),
                Trees.string(t.get("statusMessage")), poll instanceof Number ? ((Number) poll).longValue() : null, t);
    }
}
