package hostproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import hostproxy.it.support.Backends;
import hostproxy.it.support.grpc.InteropCases;
import hostproxy.it.support.grpc.InteropServer;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
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
        channel = Grpc.newChannelBuilderForAddress("grpcsvc.proxy.test", ContainerSuite.port(),
                InsecureChannelCredentials.create()).build();
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
        cases.cancelAfterFirstResponse();
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
