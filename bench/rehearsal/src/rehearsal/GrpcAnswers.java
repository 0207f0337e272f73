package rehearsal;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.integration.Payload;
import io.grpc.testing.integration.ResponseParameters;
import io.grpc.testing.integration.SimpleRequest;
import io.grpc.testing.integration.SimpleResponse;
import io.grpc.testing.integration.StreamingOutputCallRequest;
import io.grpc.testing.integration.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC replicas' {@code grpc.testing.TestService}: the interop service's calls, but every
 * response payload follows from its request, so that the client checks each byte as it checks
 * the HTTP bodies. Payload {@code k} of a call is {@link #payload}: the {@link Content} of the
 * call's id (its {@code x-request-id}), the SHA-256 of the request message's payload as the replica
 * got it, and {@code k}. A response that reached the wrong call, or a request whose payload changed
 * on the way, gives other bytes. The id also comes back in the response headers and in the
 * trailers ({@code x-echo-id}), where gRPC puts its status.
 */
final class GrpcAnswers extends TestServiceGrpc.TestServiceImplBase {
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> ECHO_ID = Metadata.Key.of("x-echo-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REPLICA = Metadata.Key.of("x-replica", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> CALL_ID = Context.key("call-id");
    private final String replica;

    GrpcAnswers(String replica) {
        this.replica = replica;
    }

    /** The {@code k}-th response payload of {@code size} bytes for a request message with {@code payload}, in call {@code id}. */
    static byte[] payload(String id, ByteString requestPayload, int k, int size) {
        Content.Digest digest = new Content.Digest();
        byte[] in = requestPayload.toByteArray();
        digest.accept(in, 0, in.length);
        byte[] out = new byte[size];
        new Content(id + "/" + digest.hex() + "/" + k).next(out, 0, size);
        return out;
    }

    private static Payload answer(ByteString requestPayload, int k, int size) {
        return Payload.newBuilder().setBody(ByteString.copyFrom(payload(CALL_ID.get(), requestPayload, k, size))).build();
    }

    @Override
    public void unaryCall(SimpleRequest request, StreamObserver<SimpleResponse> out) {
        out.onNext(SimpleResponse.newBuilder().setPayload(answer(request.getPayload().getBody(), 0, request.getResponseSize()))
                .setHostname(replica).build());
        out.onCompleted();
    }

    /** The responses one after the other, each {@code interval_us} after the one before (a call thread of its own waits). */
    @Override
    public void streamingOutputCall(StreamingOutputCallRequest request, StreamObserver<StreamingOutputCallResponse> out) {
        ServerCallStreamObserver<StreamingOutputCallResponse> call = (ServerCallStreamObserver<StreamingOutputCallResponse>) out;
        int k = 0;
        for (ResponseParameters p : request.getResponseParametersList()) {
            try {
                TimeUnit.MICROSECONDS.sleep(p.getIntervalUs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
                return;
            }
            if (call.isCancelled()) {
                return;
            }
            out.onNext(StreamingOutputCallResponse.newBuilder().setPayload(answer(request.getPayload().getBody(), k++, p.getSize())).build());
        }
        out.onCompleted();
    }

    /** Ping-pong: each request message answered at once, one response per response parameter. */
    @Override
    public StreamObserver<StreamingOutputCallRequest> fullDuplexCall(StreamObserver<StreamingOutputCallResponse> out) {
        String id = CALL_ID.get();
        return new StreamObserver<>() {
            private int k;

            @Override
            public void onNext(StreamingOutputCallRequest request) {
                for (ResponseParameters p : request.getResponseParametersList()) {
                    byte[] body = payload(id, request.getPayload().getBody(), k++, p.getSize());
                    out.onNext(StreamingOutputCallResponse.newBuilder().setPayload(Payload.newBuilder().setBody(ByteString.copyFrom(body))).build());
                }
            }

            @Override
            public void onError(Throwable t) {
                // the client cancelled: nothing more to send
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        };
    }

    /** The call's {@code x-request-id} for the service ({@link #CALL_ID}), echoed in the response headers and trailers. */
    static final class EchoId implements ServerInterceptor {
        private final String replica;

        EchoId(String replica) {
            this.replica = replica;
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String id = headers.get(REQUEST_ID);
            String known = id == null ? "none" : id;
            ServerCall<Q, R> echoing = new SimpleForwardingServerCall<>(call) {
                @Override
                public void sendHeaders(Metadata responseHeaders) {
                    responseHeaders.put(ECHO_ID, known);
                    responseHeaders.put(REPLICA, replica);
                    super.sendHeaders(responseHeaders);
                }

                @Override
                public void close(Status status, Metadata trailers) {
                    trailers.put(ECHO_ID, known);
                    super.close(status, trailers);
                }
            };
            return Contexts.interceptCall(Context.current().withValue(CALL_ID, known), echoing, headers, next);
        }
    }
}
