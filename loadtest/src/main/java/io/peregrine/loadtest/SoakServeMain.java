package io.peregrine.loadtest;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import io.peregrine.Peregrine;
import io.peregrine.launcher.Main;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The server of {@code loadtest/run soak}, in a JVM of its own ({@link SoakMain} starts it): the
 * standalone server as {@code ./peregrine} starts it ({@link Main#start}), with the arguments given
 * ({@code --config FILE --set key=value ...}), so that the soak runs the launcher's own wiring:
 * demo tools, authentication, rate limits, every listener.
 *
 * <p>Prints {@code listening tcp HOST:PORT http HOST:PORT}, then answers on standard input, a
 * command per line: {@code measure} prints {@code heap BYTES pooledDirect BYTES nettyDirect BYTES}
 * (heap in use after full collections, the direct memory of Netty's default allocator, and the
 * direct memory Netty counts itself, -1 when it does not); the end of input stops the server.
 */
public final class SoakServeMain {

    private SoakServeMain() {
    }

    public static void main(String[] args) throws Exception {
        Peregrine server = Main.start(args, System.getenv());
        Peregrine.BoundAddresses bound = server.addresses();
        System.out.println("listening tcp " + GatewayServeMain.hostPort(bound.tcp()) + " http "
                + GatewayServeMain.hostPort(bound.http()));
        System.out.flush();
        try (server) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
                if (line.equals("measure")) {
                    long heap = ServeMain.heapAfterGc();
                    System.out.println("heap " + heap + " pooledDirect " + pooledDirect() + " nettyDirect "
                            + PlatformDependent.usedDirectMemory());
                    System.out.flush();
                }
            }
        }
        System.exit(0);
    }

    private static long pooledDirect() {
        ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        return allocator instanceof ByteBufAllocatorMetricProvider
                ? ((ByteBufAllocatorMetricProvider) allocator).metric().usedDirectMemory() : -1;
    }
}
