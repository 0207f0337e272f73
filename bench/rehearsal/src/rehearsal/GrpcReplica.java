package rehearsal;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC backend replica, a process of its own so that it can be killed alone: grpc-java's
 * server (Netty, plaintext: HTTP/2 with prior knowledge) serving the interop {@code TestService} as
 * {@link GrpcAnswers} answers it, on one loopback address. SIGTERM drains it as a container's stop
 * would: {@code Server.shutdown()} (GOAWAY: no new call; the calls under way run to their end),
 * then it exits. It exits too when its standard input closes (the driver is gone).
 *
 * <pre>java rehearsal.GrpcReplica NAME ADDRESS PORT</pre>
 */
public final class GrpcReplica {
    private static final long DRAIN_BOUND_S = 60;

    private GrpcReplica() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "grpc-call");
            t.setDaemon(true);
            return t;
        });
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])))
                .executor(executor)
                .addService(ServerInterceptors.intercept(new GrpcAnswers(name), new GrpcAnswers.EchoId(name)))
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drain(name, server), "replica-drain"));
        Thread stdin = new Thread(GrpcReplica::exitWithDriver, "replica-commands");
        stdin.setDaemon(true);
        stdin.start();
        System.out.println("READY " + name + " " + args[1] + ":" + args[2]);
        System.out.flush();
        server.awaitTermination();
    }

    /** SIGTERM: GOAWAY to every connection, the calls under way finished (at most 60 s). */
    private static void drain(String name, Server server) {
        server.shutdown();
        boolean done = false;
        try {
            done = server.awaitTermination(DRAIN_BOUND_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.println("DRAINED " + name + (done ? "" : " with calls still under way after " + DRAIN_BOUND_S + " s"));
        System.out.flush();
    }

    /** No commands for a gRPC replica; the end of standard input is the driver's end. */
    private static void exitWithDriver() {
        try (InputStream in = System.in) {
            while (in.read() >= 0) {
                // nothing to do
            }
        } catch (IOException e) {
            // the driver is gone
        }
        Runtime.getRuntime().halt(3);
    }
}
