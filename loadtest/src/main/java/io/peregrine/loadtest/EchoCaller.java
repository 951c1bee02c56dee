package io.peregrine.loadtest;

import java.util.Map;
import java.util.function.Consumer;

/** One client under load, calling the {@code echo} tool; see {@link ClosedLoop}. */
interface EchoCaller extends AutoCloseable {

    /** A short name for reports: {@code peregrine}, {@code sdk}. */
    String name();

    /**
     * Sends one call of {@code echo}; {@code done} runs once, on whatever thread the client completes
     * it, with null, or with why the call failed (an error result counts as a failure).
     */
    void call(Map<String, Object> arguments, Consumer<Throwable> done);

    @Override
    void close();
}
