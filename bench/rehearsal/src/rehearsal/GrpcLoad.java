package rehearsal;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC traffic of a busy phase, over two channels (an HTTP/2 connection each, prior knowledge)
 * to the proxy as {@code grpc.rehearsal.test}, opened when the phase starts and closed when it
 * ends: unary calls at a steady rate, server-streaming calls one after the other on two threads,
 * ping-pong calls on one (see {@link GrpcCalls}).
 */
final class GrpcLoad extends Load {
    private static final int UNARY_THREADS = 4;
    private static final int STREAM_THREADS = 2;
    private final Outcomes outcomes;
    private final String host;
    private final int port;
    private final Load.Pacer pacer;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<GrpcCalls> calls = new ArrayList<>();

    GrpcLoad(Outcomes outcomes, String host, int port, double unaryPerSecond) {
        super("grpc");
        this.outcomes = outcomes;
        this.host = host;
        this.port = port;
        this.pacer = new Load.Pacer(unaryPerSecond);
    }

    @Override
    int threads() {
        return UNARY_THREADS + STREAM_THREADS + 1;
    }

    @Override
    void start() {
        for (int i = 0; i < 2; i++) {
            ManagedChannel c = Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create()).build();
            channels.add(c);
            calls.add(new GrpcCalls(outcomes, c));
        }
        super.start();
    }

    @Override
    void once(int thread) throws InterruptedException {
        GrpcCalls on = calls.get(thread % calls.size());
        if (thread < UNARY_THREADS) {
            pacer.awaitSlot();
            if (running()) {
                on.unary();
            }
        } else if (thread < UNARY_THREADS + STREAM_THREADS) {
            on.serverStreaming();
        } else {
            on.pingPong();
        }
    }

    @Override
    void stop() throws InterruptedException {
        super.stop();
        for (ManagedChannel c : channels) {
            c.shutdown();
            if (!c.awaitTermination(10, TimeUnit.SECONDS)) {
                c.shutdownNow();
            }
        }
        channels.clear();
        calls.clear();
    }
}
