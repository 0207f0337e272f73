package hostproxy.containers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.grpc.InteropCases;
import hostproxy.it.support.grpc.InteropServer;
import hostproxy.it.support.grpc.Payloads;
import hostproxy.it.support.grpc.Recorder;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.integration.ResponseParameters;
import io.grpc.testing.integration.SimpleRequest;
import io.grpc.testing.integration.SimpleResponse;
import io.grpc.testing.integration.StreamingOutputCallRequest;
import io.grpc.testing.integration.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gRPC through hostproxy: grpc-java's client over h2c (prior knowledge) to the container, the
 * {@code h2c} route {@code grpcsvc} (ContainerSuite's routes) to grpc-java's server, and gRPC's
 * interop cases between them, each as the interop descriptions have it. Statuses and trailing
 * metadata travel in HTTP/2 trailers, both of which must cross the proxy.
 */
class GrpcCT extends ContainerScenario {
    private static InteropServer server;
    private static ManagedChannel channel;
    private static InteropCases cases;

    @BeforeAll
    static void startServerAndChannel() throws Exception {
        server = InteropServer.start("127.0.0.18", Backends.PORT);
        channel = ContainerSuite.grpcChannel("grpcsvc");
        cases = new InteropCases(channel);
    }

    @AfterAll
    static void stopServerAndChannel() throws Exception {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void emptyUnary() {
        cases.emptyUnary();
        Metadata seen = server.lastHeaders();
        assertEquals("grpcsvc.proxy.test:" + ContainerSuite.port(),
                seen.get(Metadata.Key.of("x-forwarded-host", Metadata.ASCII_STRING_MARSHALLER)), "it went through the proxy");
    }

    @Test
    void largeUnary() {
        cases.largeUnary();
    }

    @Test
    void clientStreaming() throws Exception {
        cases.clientStreaming();
    }

    @Test
    void serverStreaming() throws Exception {
        notOnWildFly("WildFly (Undertow 2.3.23) ended the streamed response with GOAWAY PROTOCOL_ERROR in 2 of 4 runs "
                + "here; not investigated yet");
        cases.serverStreaming();
    }

    /** Each response before the next request: the call's two directions flow at once. */
    @Test
    void pingPong() throws Exception {
        notOnWildFly(FULL_DUPLEX);
        cases.pingPong();
    }

    @Test
    void emptyStream() throws Exception {
        cases.emptyStream();
    }

    @Test
    void timeoutOnSleepingServer() throws Exception {
        cases.timeoutOnSleepingServer();
    }

    @Test
    void customMetadata() throws Exception {
        cases.customMetadata();
    }

    @Test
    void statusCodeAndMessage() throws Exception {
        cases.statusCodeAndMessage();
    }

    @Test
    void specialStatusMessage() throws Exception {
        cases.specialStatusMessage();
    }

    @Test
    void unimplementedMethod() {
        cases.unimplementedMethod();
    }

    @Test
    void cancelAfterBegin() throws Exception {
        cases.cancelAfterBegin();
    }

    @Test
    void cancelAfterFirstResponse() throws Exception {
        notOnWildFly(FULL_DUPLEX);
        int before = server.cancelledCalls();
        cases.cancelAfterFirstResponse();
        Await.until(() -> server.cancelledCalls() > before, Duration.ofSeconds(10),
                "the backend sees the call cancelled: the client's RST_STREAM ends the backend's stream too");
    }

    /**
     * A call that streams for 3 s, longer than the suite's {@code responseTimeout} (1 s) and
     * {@code clientIdleTimeout} (2 s), each one way only: first the client sends nothing while the
     * backend's responses flow (every 400 ms, its request still open), then the backend says nothing
     * while the client's messages flow (every 400 ms). Neither timeout cuts a stream that moves.
     */
    @Test
    void aFullDuplexCallThatMovesOneWayAtATimeIsNotCutByTimeouts() throws Exception {
        notOnWildFly(FULL_DUPLEX);
        Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
        StreamObserver<StreamingOutputCallRequest> requests = TestServiceGrpc.newStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS).fullDuplexCall(responses);
        StreamingOutputCallRequest.Builder flowing = StreamingOutputCallRequest.newBuilder();
        for (int i = 0; i < 8; i++) { // sizes apart, so that their order shows
            flowing.addResponseParameters(ResponseParameters.newBuilder().setSize(100 + i).setIntervalUs(400_000));
        }
        requests.onNext(flowing.build());
        for (int i = 0; i < 8; i++) {
            assertEquals(100 + i, responses.take().getPayload().getBody().size(), "response " + i);
        }
        StreamingOutputCallRequest quiet = StreamingOutputCallRequest.newBuilder().setPayload(Payloads.zeros(10)).build();
        for (int i = 0; i < 8; i++) {
            requests.onNext(quiet); // asks for no response
            Thread.sleep(400); // the pace of the client's messages, the point of the test
        }
        requests.onNext(StreamingOutputCallRequest.newBuilder().addResponseParameters(ResponseParameters.newBuilder().setSize(7)).build());
        assertEquals(7, responses.take().getPayload().getBody().size());
        requests.onCompleted();
        responses.awaitEnd();
        responses.assertOk();
        assertEquals(9, responses.count());
    }

    /**
     * A route's own {@code responseTimeout} (5 s, longer than the suite's 1 s) holds over HTTP/2 too:
     * HttpClient 5.6 applies none to an HTTP/2 connection, so the relay times such attempts itself.
     */
    @Test
    void aRoutesLongerResponseTimeoutHoldsForAnHttp2Backend() throws Exception {
        ManagedChannel slow = ContainerSuite.grpcChannel("grpcmany"); // responseTimeout=5s (SuiteRoutes)
        try {
            Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
            TestServiceGrpc.newStub(slow).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .streamingOutputCall(Payloads.paced(2, 10, 1_500_000).build(), responses);
            responses.awaitEnd();
            responses.assertOk();
            assertEquals(2, responses.count());
        } finally {
            slow.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A stream of many small messages both ways, as chat or telemetry streams are: 2,000 requests of
     * 10 bytes, each answered by 10 bytes before the next goes. Small DATA frames are what a
     * container's HTTP/2 overhead protection counts against a connection.
     */
    @Test
    void twoThousandSmallMessagesEachWayOnOneStream() throws Exception {
        notOnWildFly(FULL_DUPLEX);
        Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
        StreamObserver<StreamingOutputCallRequest> requests = TestServiceGrpc.newStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS).fullDuplexCall(responses);
        StreamingOutputCallRequest small = StreamingOutputCallRequest.newBuilder().setPayload(Payloads.zeros(10))
                .addResponseParameters(ResponseParameters.newBuilder().setSize(10)).build();
        for (int i = 0; i < 2000; i++) {
            requests.onNext(small);
            assertEquals(10, responses.take().getPayload().getBody().size(), "response " + i);
        }
        requests.onCompleted();
        responses.awaitEnd();
        responses.assertOk();
    }

    /** 500 calls in flight at once on one channel (one HTTP/2 connection to the proxy), each answered as asked. */
    @Test
    void fiveHundredConcurrentCallsOnOneChannel() throws Exception {
        ManagedChannel many = ContainerSuite.grpcChannel("grpcmany"); // connectTimeout=30s (SuiteRoutes)
        try {
            TestServiceGrpc.TestServiceFutureStub stub = TestServiceGrpc.newFutureStub(many).withDeadlineAfter(60, TimeUnit.SECONDS);
            List<ListenableFuture<SimpleResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                calls.add(stub.unaryCall(SimpleRequest.newBuilder().setResponseSize(1000 + i).setPayload(Payloads.zeros(1024))
                        .build()));
            }
            for (int i = 0; i < 500; i++) {
                assertEquals(1000 + i, calls.get(i).get(60, TimeUnit.SECONDS).getPayload().getBody().size(), "call " + i);
            }
        } finally {
            many.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** A 4 MiB message each way (over grpc-java's default limit of 4 MiB per message, raised on both ends). */
    @Test
    void fourMebibyteMessagesEachWay() {
        byte[] body = new byte[4 << 20];
        new Random(20).nextBytes(body);
        SimpleResponse response = TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .unaryCall(SimpleRequest.newBuilder().setResponseSize(4 << 20).setPayload(Payloads.of(body)).build());
        assertEquals(4 << 20, response.getPayload().getBody().size());
        assertArrayEquals(body, server.lastUnaryPayload(), "the backend got the request's message, byte for byte");
    }

    /**
     * Seen with WildFly 39 (Undertow 2.3.23), not investigated yet (full duplex is item 3 of issue 20):
     * the first response of a full-duplex call did not reach the client while its request stream was
     * open, and the backend's stream timed out.
     */
    private static final String FULL_DUPLEX = "WildFly: a full-duplex call's first response does not reach the client "
            + "while its request is open";

    private static void notOnWildFly(String why) {
        assumeFalse(ContainerSuite.container() == ContainerSuite.Container.WILDFLY, why);
    }
}
