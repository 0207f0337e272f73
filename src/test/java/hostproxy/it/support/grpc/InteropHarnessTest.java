package hostproxy.it.support.grpc;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The interop harness proved on its own: every client case against {@link InteropServer}, straight
 * over h2c with no proxy between. What fails here is the harness's fault, never hostproxy's.
 */
class InteropHarnessTest {
    private static InteropServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        server = InteropServer.start("127.0.0.1");
        channel = Grpc.newChannelBuilderForAddress(server.host(), server.port(), InsecureChannelCredentials.create())
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @TestFactory
    List<DynamicTest> everyCaseStraightToTheServer() {
        return new InteropCases(channel).all().entrySet().stream()
                .map(c -> DynamicTest.dynamicTest(c.getKey(), () -> c.getValue().run()))
                .toList();
    }
}
