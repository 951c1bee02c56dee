package io.peregrine.transport.http;

import io.netty.buffer.Unpooled;
import io.peregrine.bench.AbstractBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

import java.nio.charset.StandardCharsets;

/**
 * The cost of sealed session ids ({@code gateway.session-key}): {@code seal} is what each
 * {@code initialize} adds (reading its parameters, AES-256-GCM with a fresh nonce, base64),
 * {@code unseal} what a replica pays once to take up a session it does not hold. The requests of
 * a session held here pay neither: they find it by id.
 */
public class SessionSealBenchmark extends AbstractBenchmark {

    private static final byte[] INITIALIZE = ("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"roots\":{\"listChanged\":true},\"sampling\":{}},"
            + "\"clientInfo\":{\"name\":\"benchmark-client\",\"version\":\"1.0.0\"}}}").getBytes(StandardCharsets.UTF_8);

    private SessionSeal seal;
    private String id;

    @Setup
    public void setUp() {
        seal = new SessionSeal("a-benchmark-secret-of-enough-length", 86_400_000L);
        id = seal();
        System.out.println("\nsealed id: " + id.length() + " characters");
    }

    @Benchmark
    public String seal() {
        return seal.seal(SealedSessionState.of(Unpooled.wrappedBuffer(INITIALIZE)), System.currentTimeMillis());
    }

    @Benchmark
    public byte[] unseal() {
        return seal.unseal(id, System.currentTimeMillis());
    }
}
