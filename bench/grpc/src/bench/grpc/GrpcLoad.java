package bench.grpc;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.integration.Payload;
import io.grpc.testing.integration.ResponseParameters;
import io.grpc.testing.integration.SimpleRequest;
import io.grpc.testing.integration.SimpleResponse;
import io.grpc.testing.integration.StreamingOutputCallRequest;
import io.grpc.testing.integration.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load client of {@code bench/run --grpc} (issue 20): grpc-java over ONE channel, plaintext
 * HTTP/2 with prior knowledge (h2c), to the interop {@code TestService}.
 *
 * <pre>
 * GrpcLoad unary  HOST PORT AUTHORITY [inflight=100 payload=1024 warmup=10 reps=3 seconds=10 deadline=10 pids=P,Q label=L rep=1]
 * GrpcLoad stream HOST PORT AUTHORITY [chunks=1600 chunk=65536 reps=3 deadline=120 pids=P,Q label=L rep=1]
 * GrpcLoad probe  HOST PORT AUTHORITY        (one 1 KiB UnaryCall; exit 0 when it succeeded)
 * </pre>
 *
 * unary: {@code inflight} UnaryCalls are kept in flight (each completion starts the next one),
 * {@code payload} bytes each way; after {@code warmup} s, {@code reps} periods of {@code seconds}
 * s are measured. stream: one warm-up StreamingOutputCall, then {@code reps} measured ones, each of
 * {@code chunks} responses of {@code chunk} bytes. Each measured period prints one line
 * {@code RESULT {json}}: calls, latencies, errors by gRPC status, and the CPU ticks (utime+stime) that
 * the processes {@code pids} and this client used in it; periods are numbered from {@code rep}.
 */
public final class GrpcLoad {
    private final Map<String, String> options;
    private final ManagedChannel channel;
    private final long[] pids;
    private final String label;

    private GrpcLoad(String host, int port, String authority, Map<String, String> options) {
        this.options = options;
        this.label = options.getOrDefault("label", "");
        // directExecutor: the callbacks below only record and start the next call, never block
        this.channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().overrideAuthority(authority)
                .directExecutor().intercept(new CountTransparentRetries()).build();
        String p = options.getOrDefault("pids", "");
        long[] given = p.isEmpty() ? new long[0] : Arrays.stream(p.split(",")).mapToLong(Long::parseLong).toArray();
        this.pids = Arrays.copyOf(given, given.length + 1);
        this.pids[given.length] = ProcessHandle.current().pid();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: GrpcLoad unary|stream|probe HOST PORT AUTHORITY [key=value...]");
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        GrpcLoad load = new GrpcLoad(args[1], Integer.parseInt(args[2]), args[3], options);
        int rc = 0;
        try {
            switch (args[0]) {
                case "unary" -> load.unary();
                case "stream" -> load.stream();
                case "probe" -> rc = load.probe();
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        } finally {
            load.channel.shutdownNow();
            load.channel.awaitTermination(10, TimeUnit.SECONDS);
        }
        System.exit(rc);
    }

    private int number(String key, int fallback) {
        return Integer.parseInt(options.getOrDefault(key, Integer.toString(fallback)));
    }

    private static Payload payload(int size) {
        return Payload.newBuilder().setBody(ByteString.copyFrom(new byte[size])).build();
    }

    private int probe() {
        try {
            SimpleResponse r = TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .unaryCall(SimpleRequest.newBuilder().setResponseSize(1024).setPayload(payload(1024)).build());
            System.out.println("probe: OK, " + r.getPayload().getBody().size() + " bytes back");
            return r.getPayload().getBody().size() == 1024 ? 0 : 1;
        } catch (StatusRuntimeException e) {
            System.out.println("probe: FAILED " + e.getStatus());
            return 1;
        }
    }

    /**
     * Counts the attempts grpc-java made again by itself, unseen by the caller: a stream the server
     * refused (RST_STREAM REFUSED_STREAM, e.g. past its SETTINGS_MAX_CONCURRENT_STREAMS) is retried
     * transparently, so it shows as latency, not as an error.
     */
    private final class CountTransparentRetries implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return next.newCall(method, options.withStreamTracerFactory(new ClientStreamTracer.Factory() {
                @Override
                public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
                    if (info.isTransparentRetry()) {
                        period.transparentRetry();
                    }
                    return new ClientStreamTracer() {
                    };
                }
            }));
        }
    }

    // ------------------------------------------------------------------ unary

    /** What completed while one period was current: latencies of the calls that succeeded, errors. */
    private static final class Period {
        final long start = System.nanoTime();
        final int[] perSecond = new int[3600];
        final Map<String, Integer> errors = new TreeMap<>();
        long[] latencies = new long[1 << 16];
        int calls;
        int transparentRetries;

        synchronized void ok(long latencyNanos) {
            if (calls == latencies.length) {
                latencies = Arrays.copyOf(latencies, calls * 2);
            }
            latencies[calls++] = latencyNanos;
            int s = (int) ((System.nanoTime() - start) / 1_000_000_000L);
            if (s < perSecond.length) {
                perSecond[s]++;
            }
        }

        synchronized void transparentRetry() {
            transparentRetries++;
        }

        synchronized void error(String what) {
            errors.merge(what, 1, Integer::sum);
        }
    }

    private volatile Period period = new Period();
    private volatile boolean stopping;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "grpc-load-retry");
        t.setDaemon(true);
        return t;
    });

    private void unary() throws InterruptedException {
        int inflight = number("inflight", 100), size = number("payload", 1024), deadline = number("deadline", 10);
        SimpleRequest request = SimpleRequest.newBuilder().setResponseSize(size).setPayload(payload(size)).build();
        TestServiceGrpc.TestServiceStub stub = TestServiceGrpc.newStub(channel);
        for (int i = 0; i < inflight; i++) {
            call(stub, request, size, deadline);
        }
        Thread.sleep(number("warmup", 10) * 1000L);
        int reps = number("reps", 3), seconds = number("seconds", 10), firstRep = number("rep", 1);
        for (int rep = 1; rep <= reps; rep++) {
            long[] cpu0 = ProcCpu.ticks(pids);
            Period p = new Period();
            period = p;
            Thread.sleep(seconds * 1000L);
            period = new Period();
            long end = System.nanoTime();
            long[] cpu1 = ProcCpu.ticks(pids);
            System.out.println("RESULT " + unaryJson(p, firstRep + rep - 1, (end - p.start) / 1e9, cpu0, cpu1, inflight, size));
        }
        stopping = true;
        long bound = System.nanoTime() + (deadline + 5) * 1_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < bound) {
            Thread.sleep(50);
        }
        if (inFlight.get() > 0) {
            System.out.println("WARNING: " + inFlight.get() + " calls still in flight " + (deadline + 5) + " s after the end");
        }
    }

    private void call(TestServiceGrpc.TestServiceStub stub, SimpleRequest request, int size, int deadline) {
        if (stopping) {
            return;
        }
        inFlight.incrementAndGet();
        long t0 = System.nanoTime();
        stub.withDeadlineAfter(deadline, TimeUnit.SECONDS).unaryCall(request, new StreamObserver<>() {
            private int bytes = -1;

            @Override
            public void onNext(SimpleResponse r) {
                bytes = r.getPayload().getBody().size();
            }

            @Override
            public void onError(Throwable t) {
                period.error(describe(Status.fromThrowable(t)));
                inFlight.decrementAndGet();
                // not at once: a call that fails at once would recurse, and a failing path spin
                retry.schedule(() -> call(stub, request, size, deadline), 10, TimeUnit.MILLISECONDS);
            }

            @Override
            public void onCompleted() {
                if (bytes == size) {
                    period.ok(System.nanoTime() - t0);
                } else {
                    period.error("OK_BUT_" + bytes + "_BYTES");
                }
                inFlight.decrementAndGet();
                call(stub, request, size, deadline);
            }
        });
    }

    /** A status as one key of the error counts: its code and description, numbers of 3+ digits (ids) as N. */
    private static String describe(Status status) {
        String d = status.getDescription() == null ? "" : ": " + status.getDescription().replaceAll("[0-9]{3,}", "N");
        return (status.getCode().name() + d).replace('"', '\'').replace('\\', '/').replaceAll("\\s+", " ");
    }

    private String unaryJson(Period p, int rep, double seconds, long[] cpu0, long[] cpu1, int inflight, int size) {
        long[] l;
        int n;
        Map<String, Integer> errors;
        int zeroSeconds = 0;
        int retries;
        synchronized (p) {
            n = p.calls;
            retries = p.transparentRetries;
            l = Arrays.copyOf(p.latencies, n);
            errors = new TreeMap<>(p.errors);
            for (int s = 0; s < Math.min((int) seconds, p.perSecond.length); s++) {
                zeroSeconds += p.perSecond[s] == 0 ? 1 : 0;
            }
        }
        Arrays.sort(l);
        StringBuilder err = new StringBuilder("{");
        errors.forEach((k, v) -> err.append(err.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        err.append('}');
        return String.format(Locale.ROOT,
                "{\"mode\":\"unary\",\"label\":\"%s\",\"rep\":%d,\"inflight\":%d,\"payload\":%d,\"seconds\":%.3f,"
                        + "\"calls\":%d,\"calls_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
                        + "\"errors\":%s,\"transparent_retries\":%d,\"seconds_without_completion\":%d,\"cpu_ticks\":%s}",
                label, rep, inflight, size, seconds, n, n / seconds, pct(l, 0.50), pct(l, 0.99),
                n == 0 ? 0 : l[n - 1] / 1e6, err, retries, zeroSeconds, ticksJson(cpu0, cpu1));
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    /** CPU ticks per process over the period, in the order of {@code pids} (this client last). */
    private static String ticksJson(long[] cpu0, long[] cpu1) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < cpu0.length; i++) {
            b.append(i > 0 ? "," : "").append(cpu0[i] < 0 || cpu1[i] < 0 ? -1 : cpu1[i] - cpu0[i]);
        }
        return b.append(']').toString();
    }

    // ------------------------------------------------------------------ stream

    private void stream() {
        int chunks = number("chunks", 1600), chunk = number("chunk", 65536), deadline = number("deadline", 120);
        StreamingOutputCallRequest.Builder request = StreamingOutputCallRequest.newBuilder();
        for (int i = 0; i < chunks; i++) {
            request.addResponseParameters(ResponseParameters.newBuilder().setSize(chunk));
        }
        int reps = number("reps", 3), firstRep = number("rep", 1);
        for (int rep = 0; rep <= reps; rep++) {  // rep 0: warm-up, not printed
            long[] cpu0 = ProcCpu.ticks(pids);
            long t0 = System.nanoTime(), last = t0, maxGap = 0, bytes = 0;
            int messages = 0;
            String status = "OK";
            try {
                Iterator<StreamingOutputCallResponse> it = TestServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(deadline, TimeUnit.SECONDS).streamingOutputCall(request.build());
                while (it.hasNext()) {
                    bytes += it.next().getPayload().getBody().size();
                    messages++;
                    long now = System.nanoTime();
                    maxGap = Math.max(maxGap, now - last);
                    last = now;
                }
            } catch (StatusRuntimeException e) {
                status = describe(e.getStatus());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long[] cpu1 = ProcCpu.ticks(pids);
            if (rep == 0) {
                System.out.println("warm-up stream: " + status + ", " + bytes + " bytes in " + seconds + " s");
                continue;
            }
            System.out.println("RESULT " + String.format(Locale.ROOT,
                    "{\"mode\":\"stream\",\"label\":\"%s\",\"rep\":%d,\"chunks\":%d,\"chunk\":%d,\"status\":\"%s\","
                            + "\"messages\":%d,\"bytes\":%d,\"complete\":%b,\"seconds\":%.3f,\"mb_per_s\":%.1f,"
                            + "\"max_gap_ms\":%.1f,\"cpu_ticks\":%s}",
                    label, firstRep + rep - 1, chunks, chunk, status.replace("\"", "'"), messages, bytes,
                    bytes == (long) chunks * chunk && "OK".equals(status), seconds, bytes / seconds / 1e6,
                    maxGap / 1e6, ticksJson(cpu0, cpu1)));
        }
    }
}
