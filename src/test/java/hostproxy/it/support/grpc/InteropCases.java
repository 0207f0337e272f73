package hostproxy.it.support.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client side of gRPC's interop test cases (doc/interop-test-descriptions.md in gRPC's
 * repository), each a method that calls the interop {@code TestService} over a channel and throws
 * an {@link AssertionError} when the answer is not the one the description asks for. Every call
 * has a deadline, so no case waits without end.
 */
public final class InteropCases {
    /** A case's name as the interop descriptions spell it, and the case. */
    public interface Case {
        void run() throws Exception;
    }

    private static final int[] REQUEST_SIZES = {27182, 8, 1828, 45904};
    private static final int[] RESPONSE_SIZES = {31415, 9, 2653, 58979};
    private static final long DEADLINE_SECONDS = 30;

    private final Channel channel;

    public InteropCases(Channel channel) {
        this.channel = channel;
    }

    /** Every case, by its interop name, in the order of the descriptions. */
    public Map<String, Case> all() {
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("empty_unary", this::emptyUnary);
        cases.put("large_unary", this::largeUnary);
        cases.put("client_streaming", this::clientStreaming);
        cases.put("server_streaming", this::serverStreaming);
        cases.put("ping_pong", this::pingPong);
        cases.put("empty_stream", this::emptyStream);
        cases.put("timeout_on_sleeping_server", this::timeoutOnSleepingServer);
        cases.put("custom_metadata", this::customMetadata);
        cases.put("status_code_and_message", this::statusCodeAndMessage);
        cases.put("special_status_message", this::specialStatusMessage);
        cases.put("unimplemented_method", this::unimplementedMethod);
        cases.put("cancel_after_begin", this::cancelAfterBegin);
        cases.put("cancel_after_first_response", this::cancelAfterFirstResponse);
        return cases;
    }

    private TestServiceGrpc.TestServiceBlockingStub blocking() {
        return TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    private TestServiceGrpc.TestServiceStub async() {
        return TestServiceGrpc.newStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public void emptyUnary() {
        assertEquals(Empty.getDefaultInstance(), blocking().emptyCall(Empty.getDefaultInstance()));
    }

    public void largeUnary() {
        SimpleResponse response = blocking().unaryCall(largeRequest());
        assertArrayEquals(new byte[314159], response.getPayload().getBody().toByteArray(), "314159 zero bytes");
    }

    public void clientStreaming() throws Exception {
        Recorder<StreamingInputCallResponse> responses = new Recorder<>();
        StreamObserver<StreamingInputCallRequest> requests = async().streamingInputCall(responses);
        for (int size : REQUEST_SIZES) {
            requests.onNext(StreamingInputCallRequest.newBuilder().setPayload(Payloads.zeros(size)).build());
        }
        requests.onCompleted();
        responses.awaitEnd();
        responses.assertOk();
        assertEquals(1, responses.count());
        assertEquals(74922, responses.take().getAggregatedPayloadSize());
    }

    public void serverStreaming() throws Exception {
        StreamingOutputCallRequest.Builder request = StreamingOutputCallRequest.newBuilder();
        for (int size : RESPONSE_SIZES) {
            request.addResponseParameters(ResponseParameters.newBuilder().setSize(size));
        }
        Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
        async().streamingOutputCall(request.build(), responses);
        responses.awaitEnd();
        responses.assertOk();
        assertEquals(RESPONSE_SIZES.length, responses.count());
        for (int size : RESPONSE_SIZES) {
            assertArrayEquals(new byte[size], responses.take().getPayload().getBody().toByteArray());
        }
    }

    /** Each request's response arrives before the next request is sent: the stream flows both ways at once. */
    public void pingPong() throws Exception {
        Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
        StreamObserver<StreamingOutputCallRequest> requests = async().fullDuplexCall(responses);
        for (int i = 0; i < REQUEST_SIZES.length; i++) {
            requests.onNext(outputRequest(REQUEST_SIZES[i], RESPONSE_SIZES[i]));
            assertArrayEquals(new byte[RESPONSE_SIZES[i]], responses.take().getPayload().getBody().toByteArray(),
                    "response " + i + ", before request " + (i + 1) + " is sent");
        }
        requests.onCompleted();
        responses.awaitEnd();
        responses.assertOk();
        assertEquals(REQUEST_SIZES.length, responses.count());
    }

    public void emptyStream() throws Exception {
        Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
        async().fullDuplexCall(responses).onCompleted();
        responses.awaitEnd();
        responses.assertOk();
        assertEquals(0, responses.count());
    }

    public void timeoutOnSleepingServer() throws Exception {
        Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
        StreamObserver<StreamingOutputCallRequest> requests = TestServiceGrpc.newStub(channel)
                .withDeadlineAfter(1, TimeUnit.MILLISECONDS).fullDuplexCall(responses);
        requests.onNext(StreamingOutputCallRequest.newBuilder().setPayload(Payloads.zeros(27182)).build());
        responses.awaitEnd();
        assertEquals(0, responses.count());
        responses.assertStatus(Status.Code.DEADLINE_EXCEEDED);
    }

    /** Initial and trailing metadata, on a unary call and on a full-duplex one. */
    public void customMetadata() throws Exception {
        String initial = "test_initial_metadata_value";
        byte[] trailing = {(byte) 0xab, (byte) 0xab, (byte) 0xab};
        Metadata sent = new Metadata();
        sent.put(EchoMetadata.INITIAL, initial);
        sent.put(EchoMetadata.TRAILING, trailing);

        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(sent),
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)).unaryCall(largeRequest());
        assertEquals(initial, headers.get().get(EchoMetadata.INITIAL), "unary: initial metadata");
        assertArrayEquals(trailing, trailers.get().get(EchoMetadata.TRAILING), "unary: trailing metadata");

        headers.set(null);
        trailers.set(null);
        Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
        StreamObserver<StreamingOutputCallRequest> requests = async().withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(sent),
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)).fullDuplexCall(responses);
        requests.onNext(outputRequest(271828, 314159));
        requests.onCompleted();
        responses.awaitEnd();
        responses.assertOk();
        assertArrayEquals(new byte[314159], responses.take().getPayload().getBody().toByteArray());
        assertEquals(initial, headers.get().get(EchoMetadata.INITIAL), "full duplex: initial metadata");
        assertArrayEquals(trailing, trailers.get().get(EchoMetadata.TRAILING), "full duplex: trailing metadata");
    }

    public void statusCodeAndMessage() throws Exception {
        statusEchoed("test status message");
    }

    public void specialStatusMessage() throws Exception {
        statusEchoed("\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \uD83D\uDE08\t\n");
    }

    /** Status 2 (UNKNOWN) with {@code message}, asked of a unary call and of a full-duplex one. */
    private void statusEchoed(String message) throws Exception {
        EchoStatus echo = EchoStatus.newBuilder().setCode(2).setMessage(message).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> blocking().unaryCall(SimpleRequest.newBuilder().setResponseStatus(echo).build()));
        assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode(), "unary");
        assertEquals(message, e.getStatus().getDescription(), "unary");

        Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
        StreamObserver<StreamingOutputCallRequest> requests = async().fullDuplexCall(responses);
        requests.onNext(StreamingOutputCallRequest.newBuilder().setResponseStatus(echo).build());
        requests.onCompleted();
        responses.awaitEnd();
        responses.assertStatus(Status.Code.UNKNOWN);
        assertEquals(message, responses.status().getDescription(), "full duplex");
    }

    public void unimplementedMethod() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> blocking().unimplementedCall(Empty.getDefaultInstance()));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    }

    public void cancelAfterBegin() throws Exception {
        Recorder<StreamingInputCallResponse> responses = new Recorder<>();
        StreamObserver<StreamingInputCallRequest> requests = async().streamingInputCall(responses);
        requests.onError(new RuntimeException("cancel_after_begin"));
        responses.awaitEnd();
        assertEquals(0, responses.count());
        responses.assertStatus(Status.Code.CANCELLED);
    }

    public void cancelAfterFirstResponse() throws Exception {
        Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
        StreamObserver<StreamingOutputCallRequest> requests = async().fullDuplexCall(responses);
        requests.onNext(outputRequest(27182, 31415));
        assertArrayEquals(new byte[31415], responses.take().getPayload().getBody().toByteArray());
        requests.onError(new RuntimeException("cancel_after_first_response"));
        responses.awaitEnd();
        assertEquals(1, responses.count(), "the one response taken, none after it");
        responses.assertStatus(Status.Code.CANCELLED);
    }

    private static SimpleRequest largeRequest() {
        return SimpleRequest.newBuilder().setResponseSize(314159).setPayload(Payloads.zeros(271828)).build();
    }

    private static StreamingOutputCallRequest outputRequest(int requestSize, int responseSize) {
        return StreamingOutputCallRequest.newBuilder()
                .addResponseParameters(ResponseParameters.newBuilder().setSize(responseSize))
                .setPayload(Payloads.zeros(requestSize))
                .build();
    }
}
