package bench.grpc;

import hostproxy.it.support.grpc.InteropServer;

/**
 * The backend of {@code bench/run --grpc} (issue 20): the test suite's grpc-java server with gRPC's
 * interop {@code TestService}, in plaintext HTTP/2 (h2c, prior knowledge), on HOST:PORT until the
 * process is stopped.
 */
public final class GrpcBackend {
    private GrpcBackend() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: GrpcBackend HOST PORT");
        }
        InteropServer server = InteropServer.start(args[0], Integer.parseInt(args[1]));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        System.out.println("listening on " + server.host() + ":" + server.port());
        Thread.currentThread().join();
    }
}
