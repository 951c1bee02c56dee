package io.peregrine.tool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code sampling/createMessage} request: the server asks the client's model for a completion.
 *
 * <pre>{@code
 * SamplingResult r = ctx.sample(SamplingRequest.builder()
 *         .userText("What is the capital of France?")
 *         .systemPrompt("Answer in one word.")
 *         .maxTokens(20)
 *         .build());
 * }</pre>
 */
public final class SamplingRequest extends ClientRequest {

    private final List<Map<String, Object>> messages;
    private final int maxTokens;
    private final Map<String, Object> extra;

    private SamplingRequest(String key, List<Map<String, Object>> messages, int maxTokens, Map<String, Object> extra) {
        super(key);
        this.messages = messages;
        this.maxTokens = maxTokens;
        this.extra = extra;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This request under the given 2026-07-28 {@code inputRequests} key. */
    public SamplingRequest key(String key) {
        return new SamplingRequest(checkKey(key), messages, maxTokens, extra);
    }

    public List<Map<String, Object>> messages() {
        return messages;
    }

    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public String method() {
        return "sampling/createMessage";
    }

    @Override
    public ClientFeature requiredFeature() {
        return ClientFeature.SAMPLING;
    }

    @Override
    String keyPrefix() {
        return "sampling";
    }

    @Override
    public Map<String, Object> params(String protocolVersion) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("messages", messages);
        params.putAll(extra);
        params.put("maxTokens", maxTokens);
        return params;
    }

    @Override
    public String toString() {
        return "sampling/createMessage(" + messages.size() + " messages, maxTokens " + maxTokens + ")";
    }

    /** Builds a {@link SamplingRequest}; at least one message and {@code maxTokens} are required. */
    public static final class Builder {
        private final List<Map<String, Object>> messages = new ArrayList<>();
        private final Map<String, Object> extra = new LinkedHashMap<>();
        private int maxTokens;

        private Builder() {
        }

        /** A message from the user with one text item. */
        public Builder userText(String text) {
            return message("user", Map.of("type", "text", "text", Objects.requireNonNull(text, "text")));
        }

        /** A message from the assistant with one text item (an earlier turn). */
        public Builder assistantText(String text) {
            return message("assistant", Map.of("type", "text", "text", Objects.requireNonNull(text, "text")));
        }

        /**
         * A message with any content: one content object (or, from 2025-11-25, a list of them) as
         * a JSON tree, e.g. {@code Map.of("type", "image", "data", base64, "mimeType", "image/png")}.
         */
        public Builder message(String role, Object content) {
            if (!"user".equals(role) && !"assistant".equals(role)) {
                throw new IllegalArgumentException("role : " + role + " (expected: user or assistant)");
            }
            Objects.requireNonNull(content, "content");
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", role);
            message.put("content", content);
            messages.add(message);
            return this;
        }

        public Builder systemPrompt(String systemPrompt) {
            return param("systemPrompt", Objects.requireNonNull(systemPrompt, "systemPrompt"));
        }

        /** The most tokens the client's model may generate; required. */
        public Builder maxTokens(int maxTokens) {
            if (maxTokens <= 0) {
                throw new IllegalArgumentException("maxTokens : " + maxTokens + " (expected: > 0)");
            }
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder temperature(double temperature) {
            return param("temperature", temperature);
        }

        /** {@code modelPreferences} as a JSON tree: {@code hints}, {@code intelligencePriority}, ... */
        public Builder modelPreferences(Map<String, Object> preferences) {
            return param("modelPreferences", Objects.requireNonNull(preferences, "preferences"));
        }

        public Builder stopSequences(List<String> stopSequences) {
            return param("stopSequences", List.copyOf(stopSequences));
        }

        /** Any other member of the request's params ({@code includeContext}, {@code metadata}, {@code tools}, ...). */
        public Builder param(String name, Object value) {
            Objects.requireNonNull(name, "name");
            if ("messages".equals(name) || "maxTokens".equals(name)) {
                throw new IllegalArgumentException("name : " + name + " (expected: set through its own method)");
            }
            extra.put(name, value);
            return this;
        }

        public SamplingRequest build() {
            if (messages.isEmpty()) {
                throw new IllegalStateException("no messages: add at least one with userText(...) or message(...)");
            }
            if (maxTokens == 0) {
                throw new IllegalStateException("no maxTokens: sampling requests must bound the reply");
            }
            return new SamplingRequest(null, List.copyOf(messages), maxTokens, Map.copyOf(extra));
        }
    }
}
