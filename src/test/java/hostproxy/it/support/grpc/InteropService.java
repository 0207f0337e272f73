package hostproxy.it.support.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.integration.EchoStatus;
import io.grpc.testing.integration.Empty;
import io.grpc.testing.integration.ResponseParameters;
import io.grpc.testing.integration.SimpleRequest;
import io.grpc.testing.integration.SimpleResponse;
import io.grpc.testing.integration.StreamingInputCallRequest;
import io.grpc.testing.integration.StreamingInputCallResponse;
import io.grpc.testing.integration.StreamingOutputCallRequest;
import io.grpc.testing.integration.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The interop server's {@code grpc.testing.TestService}, as gRPC's interop test descriptions have it
 * behave: payloads of zeros of the asked sizes, {@code response_status} ends the call with that
 * status, streamed responses each after its {@code interval_us}. {@code UnimplementedCall} is left
 * unimplemented on purpose. (Echoing metadata is {@link EchoMetadata}'s job.)
 */
final class InteropService extends TestServiceGrpc.TestServiceImplBase {
    private final ScheduledExecutorService timer;
    private final AtomicReference<ByteString> lastUnaryPayload = new AtomicReference<>(ByteString.EMPTY);

    InteropService(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** The payload of the last {@code UnaryCall}, as the service got it. */
    ByteString lastUnaryPayload() {
        return lastUnaryPayload.get();
    }

    @Override
    public void emptyCall(Empty request, StreamObserver<Empty> out) {
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void unaryCall(SimpleRequest request, StreamObserver<SimpleResponse> out) {
        lastUnaryPayload.set(request.getPayload().getBody());
        if (request.hasResponseStatus()) {
            out.onError(status(request.getResponseStatus()).asRuntimeException());
            return;
        }
        SimpleResponse.Builder response = SimpleResponse.newBuilder();
        if (request.getResponseSize() > 0) {
            response.setPayload(Payloads.zeros(request.getResponseSize()));
        }
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void cacheableUnaryCall(SimpleRequest request, StreamObserver<SimpleResponse> out) {
        unaryCall(request, out);
    }

    @Override
    public void streamingOutputCall(StreamingOutputCallRequest request, StreamObserver<StreamingOutputCallResponse> out) {
        Responses responses = new Responses(out);
        if (request.hasResponseStatus()) {
            responses.fail(status(request.getResponseStatus()));
            return;
        }
        responses.add(request.getResponseParametersList());
        responses.end();
    }

    @Override
    public StreamObserver<StreamingInputCallRequest> streamingInputCall(StreamObserver<StreamingInputCallResponse> out) {
        return new StreamObserver<>() {
            private int total;

            @Override
            public void onNext(StreamingInputCallRequest request) {
                total += request.getPayload().getBody().size();
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                out.onNext(StreamingInputCallResponse.newBuilder().setAggregatedPayloadSize(total).build());
                out.onCompleted();
            }
        };
    }

    /** Each request's responses are sent as it arrives; a {@code response_status} ends the call at once. */
    @Override
    public StreamObserver<StreamingOutputCallRequest> fullDuplexCall(StreamObserver<StreamingOutputCallResponse> out) {
        Responses responses = new Responses(out);
        return new StreamObserver<>() {
            @Override
            public void onNext(StreamingOutputCallRequest request) {
                if (request.hasResponseStatus()) {
                    responses.fail(status(request.getResponseStatus()));
                } else {
                    responses.add(request.getResponseParametersList());
                }
            }

            @Override
            public void onError(Throwable t) {
                responses.stop();
            }

            @Override
            public void onCompleted() {
                responses.end();
            }
        };
    }

    /** Every request is read before the first response goes out. */
    @Override
    public StreamObserver<StreamingOutputCallRequest> halfDuplexCall(StreamObserver<StreamingOutputCallResponse> out) {
        Responses responses = new Responses(out);
        List<ResponseParameters> all = new ArrayList<>();
        return new StreamObserver<>() {
            @Override
            public void onNext(StreamingOutputCallRequest request) {
                all.addAll(request.getResponseParametersList());
            }

            @Override
            public void onError(Throwable t) {
                responses.stop();
            }

            @Override
            public void onCompleted() {
                responses.add(all);
                responses.end();
            }
        };
    }

    private static Status status(EchoStatus echo) {
        return Status.fromCodeValue(echo.getCode()).withDescription(echo.getMessage());
    }

    /**
     * One call's streamed responses, sent in order, each {@code interval_us} after the one before,
     * from the timer: no thread waits between them. The call's end follows the last one.
     */
    private final class Responses {
        private final ServerCallStreamObserver<StreamingOutputCallResponse> out;
        private final List<ResponseParameters> pending = new ArrayList<>();
        private boolean ending;
        private boolean scheduled;
        private boolean over;

        Responses(StreamObserver<StreamingOutputCallResponse> out) {
            this.out = (ServerCallStreamObserver<StreamingOutputCallResponse>) out;
        }

        synchronized void add(List<ResponseParameters> parameters) {
            pending.addAll(parameters);
            next();
        }

        synchronized void end() {
            ending = true;
            next();
        }

        synchronized void fail(Status status) {
            if (!over) {
                over = true;
                pending.clear();
                out.onError(status.asRuntimeException());
            }
        }

        /** The client went away (cancelled, or its deadline passed): nothing more is sent. */
        synchronized void stop() {
            over = true;
            pending.clear();
        }

        private void next() {
            if (over || scheduled) {
                return;
            }
            if (pending.isEmpty()) {
                if (ending) {
                    over = true;
                    out.onCompleted();
                }
                return;
            }
            scheduled = true;
            timer.schedule(this::sendOne, pending.get(0).getIntervalUs(), java.util.concurrent.TimeUnit.MICROSECONDS);
        }

        private synchronized void sendOne() {
            scheduled = false;
            if (over || out.isCancelled()) {
                stop();
                return;
            }
            ResponseParameters p = pending.remove(0);
            out.onNext(StreamingOutputCallResponse.newBuilder().setPayload(Payloads.zeros(p.getSize())).build());
            next();
        }
    }
}
