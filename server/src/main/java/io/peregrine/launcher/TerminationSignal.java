package io.peregrine.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM as an orchestrator means it: "shut down cleanly". The JVM's own handling runs the
 * shutdown hooks and then exits with status 143, which Kubernetes and systemd report as a failure
 * of a process that did exactly what it was asked. Handling the signal ourselves lets the launcher
 * drain first and exit with 0.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is the only way the JDK offers; where it is
 * missing or the signal is reserved ({@code -Xrs}), the default stays and the shutdown hook still
 * drains.
 */
final class TerminationSignal {

    private static final Logger log = LoggerFactory.getLogger(TerminationSignal.class);

    private TerminationSignal() {
    }

    /** Runs {@code shutdown} on a thread of its own when SIGTERM arrives; false when the signal cannot be handled here. */
    static boolean onSigterm(Runnable shutdown) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
                log.info("SIGTERM: shutting down");
                // Not on the signal's own thread: a second signal must still be deliverable.
                Thread t = new Thread(shutdown, "peregrine-sigterm");
                t.start();
            });
            return true;
        } catch (IllegalArgumentException | LinkageError e) {
            log.debug("SIGTERM stays with the JVM (exit status 143 after the shutdown hook): {}", e.toString());
            return false;
        }
    }
}
