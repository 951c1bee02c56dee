package io.peregrine.prompt;

import java.util.Map;

/**
 * Fills a prompt in. Required arguments are checked before it runs; optional ones may be absent
 * from {@code arguments}. Throw {@link IllegalArgumentException} for an argument value the prompt
 * cannot use: the client gets -32602 with its message.
 */
@FunctionalInterface
public interface PromptHandler {

    PromptResult get(Map<String, String> arguments) throws Exception;
}
