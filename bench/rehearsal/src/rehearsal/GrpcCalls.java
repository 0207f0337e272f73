package rehearsal;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.integration.Payload;
import io.grpc.testing.integration.ResponseParameters;
import io.grpc.testing.integration.SimpleRequest;
import io.grpc.testing.integration.SimpleResponse;
import io.grpc.testing.integration.StreamingOutputCallRequest;
import io.grpc.testing.integration.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * gRPC calls through the proxy with grpc-java's client (h2c, prior knowledge) to the service
 * {@code grpc}, each checked end to end: a random request payload, response payloads that must be
 * {@link GrpcAnswers#payload} of this call's id and of that payload, the id echoed in the response
 * headers and trailers. A call is recorded {@code ok}, {@code failed} (a status other than OK: the
 * journal's status is the gRPC code, the detail starts with its name) or {@code mixup} (status OK,
 * but another id, other bytes, or responses missing or too many).
 */
final class GrpcCalls {
    static final String HOST = "grpc";
    private static final long DEADLINE_S = 90;
    private final Outcomes outcomes;
    private final Channel channel;

    GrpcCalls(Outcomes outcomes, Channel channel) {
        this.outcomes = outcomes;
        this.channel = channel;
    }

    /** What a call's client saw besides its messages: the response headers and trailers. */
    private static final class Seen {
        final AtomicReference<Metadata> headers = new AtomicReference<>();
        final AtomicReference<Metadata> trailers = new AtomicReference<>();

        <S extends AbstractStub<S>> S on(S stub, String id) {
            Metadata m = new Metadata();
            m.put(GrpcAnswers.REQUEST_ID, id); // also the proxy's request id: the access log names the call
            return stub.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m), MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
        }

        /** Whether headers and trailers name call {@code id}; else what they name. */
        String wrongId(String id) {
            String inHeaders = headers.get() == null ? null : headers.get().get(GrpcAnswers.ECHO_ID);
            String inTrailers = trailers.get() == null ? null : trailers.get().get(GrpcAnswers.ECHO_ID);
            if (!id.equals(inHeaders) || !id.equals(inTrailers)) {
                return "the answer names call " + inHeaders + " (headers) and " + inTrailers + " (trailers)";
            }
            return null;
        }

        String replica() {
            return headers.get() == null ? "" : String.valueOf(headers.get().get(GrpcAnswers.REPLICA));
        }
    }

    private static ByteString randomPayload(long max) {
        byte[] b = new byte[(int) Traffic.size(max)];
        ThreadLocalRandom.current().nextBytes(b);
        return ByteString.copyFrom(b);
    }

    /** A unary call: a request payload of up to 64 KiB, a response payload of up to 256 KiB. */
    void unary() {
        String id = outcomes.newId("grpcunary");
        long start = System.currentTimeMillis();
        ByteString body = randomPayload(64 * 1024);
        int size = (int) Traffic.size(256 * 1024);
        Seen seen = new Seen();
        try {
            SimpleResponse r = seen.on(TestServiceGrpc.newBlockingStub(channel), id).unaryCall(SimpleRequest.newBuilder()
                    .setResponseSize(size).setPayload(Payload.newBuilder().setBody(body)).build());
            String wrong = seen.wrongId(id);
            if (wrong != null) {
                outcomes.record("grpcunary", id, HOST, start, "mixup", 0, wrong, size);
            } else if (!Arrays.equals(GrpcAnswers.payload(id, body, 0, size), r.getPayload().getBody().toByteArray())) {
                outcomes.record("grpcunary", id, HOST, start, "mixup", 0, "status OK but the payload differs ("
                        + r.getPayload().getBody().size() + " bytes of " + size + ")", size);
            } else {
                outcomes.record("grpcunary", id, HOST, start, "ok", 0, seen.replica(), size);
            }
        } catch (StatusRuntimeException e) {
            failed("grpcunary", id, start, e.getStatus(), "", 0);
        }
    }

    /**
     * A server-streaming call: 5 to 200 responses of up to 32 KiB, 10 to 150 ms apart (8 s on
     * average, up to 30: some are under way when their replica, drained, gets SIGTERM 8 s after it
     * left DNS, and must still end well).
     */
    void serverStreaming() {
        String id = outcomes.newId("grpcstream");
        long start = System.currentTimeMillis();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        ByteString body = randomPayload(1024);
        StreamingOutputCallRequest.Builder request = StreamingOutputCallRequest.newBuilder().setPayload(Payload.newBuilder().setBody(body));
        int[] sizes = new int[random.nextInt(5, 201)];
        for (int k = 0; k < sizes.length; k++) {
            sizes[k] = (int) Traffic.size(32 * 1024);
            request.addResponseParameters(ResponseParameters.newBuilder().setSize(sizes[k]).setIntervalUs(random.nextInt(10_000, 150_001)));
        }
        Seen seen = new Seen();
        int k = 0;
        long bytes = 0;
        String difference = null;
        try {
            Iterator<StreamingOutputCallResponse> responses = seen.on(TestServiceGrpc.newBlockingStub(channel), id)
                    .streamingOutputCall(request.build());
            while (responses.hasNext()) {
                byte[] got = responses.next().getPayload().getBody().toByteArray();
                bytes += got.length;
                if (difference == null && (k >= sizes.length || !Arrays.equals(GrpcAnswers.payload(id, body, k, sizes[k]), got))) {
                    difference = "response " + k + " of " + sizes.length + " differs";
                }
                k++;
            }
            String wrong = seen.wrongId(id);
            if (wrong != null) {
                outcomes.record("grpcstream", id, HOST, start, "mixup", 0, wrong, bytes);
            } else if (difference != null || k != sizes.length) {
                outcomes.record("grpcstream", id, HOST, start, "mixup", 0, "status OK but " + (difference != null ? difference
                        : k + " responses of " + sizes.length), bytes);
            } else {
                outcomes.record("grpcstream", id, HOST, start, "ok", 0, seen.replica(), bytes);
            }
        } catch (StatusRuntimeException e) {
            failed("grpcstream", id, start, e.getStatus(), " after " + k + " of " + sizes.length + " responses", bytes);
        }
    }

    /** A bidirectional call, ping-pong: 5 to 60 requests, each answered before the next goes, 20 to 200 ms apart. */
    void pingPong() throws InterruptedException {
        String id = outcomes.newId("grpcbidi");
        long start = System.currentTimeMillis();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        Object end = new Object();
        Seen seen = new Seen();
        StreamObserver<StreamingOutputCallRequest> requests = seen.on(TestServiceGrpc.newStub(channel), id).fullDuplexCall(new StreamObserver<>() {
            @Override
            public void onNext(StreamingOutputCallResponse r) {
                answers.add(r);
            }

            @Override
            public void onError(Throwable t) {
                answers.add(t);
            }

            @Override
            public void onCompleted() {
                answers.add(end);
            }
        });
        int rounds = random.nextInt(5, 61);
        long bytes = 0;
        for (int k = 0; k < rounds; k++) {
            ByteString body = randomPayload(8 * 1024);
            int size = (int) Traffic.size(32 * 1024);
            requests.onNext(StreamingOutputCallRequest.newBuilder().setPayload(Payload.newBuilder().setBody(body))
                    .addResponseParameters(ResponseParameters.newBuilder().setSize(size)).build());
            Object a = answers.poll(DEADLINE_S, TimeUnit.SECONDS);
            if (a instanceof StreamingOutputCallResponse r) {
                byte[] got = r.getPayload().getBody().toByteArray();
                bytes += got.length;
                if (!Arrays.equals(GrpcAnswers.payload(id, body, k, size), got)) {
                    requests.onError(Status.CANCELLED.withDescription("a wrong answer").asRuntimeException());
                    outcomes.record("grpcbidi", id, HOST, start, "mixup", 0, "answer " + k + " of " + rounds + " differs", bytes);
                    return;
                }
            } else if (a == end) {
                outcomes.record("grpcbidi", id, HOST, start, "mixup", 0, "status OK after " + k + " of " + rounds + " answers", bytes);
                return;
            } else {
                Status status = a == null ? Status.DEADLINE_EXCEEDED.withDescription("no answer in " + DEADLINE_S + " s") : Status.fromThrowable((Throwable) a);
                if (a == null) {
                    requests.onError(status.asRuntimeException());
                }
                failed("grpcbidi", id, start, status, " after " + k + " of " + rounds + " answers", bytes);
                return;
            }
            Thread.sleep(random.nextInt(20, 201));
        }
        requests.onCompleted();
        Object a = answers.poll(DEADLINE_S, TimeUnit.SECONDS);
        if (a == end) {
            String wrong = seen.wrongId(id);
            outcomes.record("grpcbidi", id, HOST, start, wrong == null ? "ok" : "mixup", 0, wrong == null ? seen.replica() : wrong, bytes);
        } else if (a instanceof StreamingOutputCallResponse) {
            outcomes.record("grpcbidi", id, HOST, start, "mixup", 0, "an answer more than the " + rounds + " asked for", bytes);
        } else {
            Status status = a == null ? Status.DEADLINE_EXCEEDED.withDescription("no end in " + DEADLINE_S + " s") : Status.fromThrowable((Throwable) a);
            failed("grpcbidi", id, start, status, " after all " + rounds + " answers", bytes);
        }
    }

    private void failed(String kind, String id, long start, Status status, String progress, long bytes) {
        outcomes.record(kind, id, HOST, start, "failed", status.getCode().value(),
                status.getCode() + ": " + status.getDescription() + progress, bytes);
    }
}
