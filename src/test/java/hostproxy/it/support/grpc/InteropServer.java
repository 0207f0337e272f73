package hostproxy.it.support.grpc;

import hostproxy.it.support.FreePorts;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real grpc-java server (Netty) serving the interop {@code TestService} in plaintext, i.e. HTTP/2
 * with prior knowledge (h2c), on a loopback address and a port free when it starts. It notes what it
 * saw: the last call's request metadata (the HTTP/2 request header fields) and how many calls the
 * client cancelled.
 */
public final class InteropServer implements AutoCloseable {
    /** Messages up to this size are taken (grpc-java's default is 4 MiB, which a 4 MiB payload's message exceeds). */
    public static final int MAX_MESSAGE = 16 * 1024 * 1024;
    private final Server server;
    private final String host;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final InteropService service;
    private final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();
    private final AtomicInteger cancelled = new AtomicInteger();

    private InteropServer(String host, int port) throws IOException {
        this.host = host;
        this.executor = Executors.newCachedThreadPool(named("grpc-interop-server"));
        this.timer = Executors.newSingleThreadScheduledExecutor(named("grpc-interop-timer"));
        this.service = new InteropService(timer);
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getByName(host), port))
                .executor(executor)
                .maxInboundMessageSize(MAX_MESSAGE)
                .addService(ServerInterceptors.intercept(service, new EchoMetadata(), new Witness()))
                .build()
                .start();
    }

    /** @param host a loopback address, e.g. {@code 127.0.0.11} */
    public static InteropServer start(String host) throws IOException {
        return new InteropServer(host, FreePorts.freeOn(host));
    }

    /** On a port chosen beforehand: a route names it before the server starts (the container suite's). */
    public static InteropServer start(String host, int port) throws IOException {
        return new InteropServer(host, port);
    }

    /**
     * A server in a process of its own, which a test can kill hard ({@code SIGKILL}) mid-call:
     * {@code java -cp <test classpath> hostproxy.it.support.grpc.InteropServer HOST PORT}. It prints
     * {@code ready} once it serves, and exits when its standard input ends (the test JVM is gone).
     */
    public static void main(String[] args) throws Exception {
        try (InteropServer server = start(args[0], Integer.parseInt(args[1]))) {
            System.out.println("ready " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // nothing to read: waits for the end of the input
            }
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return server.getPort();
    }

    /** The request metadata of the last call that reached the service, or {@code null}. */
    public Metadata lastHeaders() {
        return lastHeaders.get();
    }

    /** The payload the last {@code UnaryCall} carried, as the service got it. */
    public byte[] lastUnaryPayload() {
        return service.lastUnaryPayload().toByteArray();
    }

    /** Calls that ended by the client's cancel (or deadline) as the server saw it: an RST_STREAM. */
    public int cancelledCalls() {
        return cancelled.get();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
        timer.shutdownNow();
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        return task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Notes each call's metadata and its cancel. */
    private final class Witness implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            lastHeaders.set(headers);
            return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                @Override
                public void onCancel() {
                    cancelled.incrementAndGet();
                    super.onCancel();
                }
            };
        }
    }
}
