package io.peregrine.gateway.discovery;

/**
 * A Peregrine server entered in a registry while it runs, so that gateways and clients discover
 * it: {@link ConsulRegistration} (a service with an HTTP check on {@code /health}) or
 * {@link EtcdRegistration} (a key under a lease kept alive). {@code Peregrine} registers once its
 * listeners are bound, and deregisters first thing on close, before it drains.
 */
public interface Registration extends AutoCloseable {

    /**
     * Enters the server.
     *
     * @param advertisedUrl where it serves MCP, unless the registration was given its own
     * @param healthUrl its {@code /health} URL, unless the registration was given its own
     * @throws Exception when the registry refused or could not be reached
     */
    void register(String advertisedUrl, String healthUrl) throws Exception;

    /** Removes the entry (clean shutdown). */
    @Override
    void close();

    /**
     * Stops maintaining the entry without removing it, as a process that died would: the registry
     * removes it on its own (the lease's TTL, the check's deregister-after).
     */
    void abandon();
}
