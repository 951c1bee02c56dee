package io.peregrine.prompt;

import io.peregrine.tool.ClientQuestions;

import java.util.Map;

/**
 * Fills a prompt in, and may ask the client for what it needs first (elicitation, sampling,
 * roots) through {@code client}, as tools do: a request to the client in the 2025 era (the prompt
 * must then be {@code blocking(true)}), an {@code input_required} round in 2026-07-28, after
 * which {@code prompts/get} is retried with the answers and this runs again from the start.
 *
 * @see ClientQuestions
 */
@FunctionalInterface
public interface AskingPromptHandler {

    PromptResult get(Map<String, String> arguments, ClientQuestions client) throws Exception;
}
