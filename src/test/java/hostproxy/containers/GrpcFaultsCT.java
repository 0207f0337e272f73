package hostproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Backends;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.grpc.InteropServer;
import hostproxy.it.support.grpc.Payloads;
import hostproxy.it.support.grpc.Recorder;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.integration.Empty;
import io.grpc.testing.integration.SimpleRequest;
import io.grpc.testing.integration.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * gRPC calls that go wrong, as a gRPC client sees them through hostproxy: the proxy's own errors as
 * gRPC statuses (Trailers-Only answers, {@code GrpcErrors}), a {@code grpc-timeout} that bounds the
 * wait for a silent backend, and a backend killed mid-stream, which the client must see as a failed
 * call, never as a clean end.
 */
class GrpcFaultsCT extends ContainerScenario {
    private static Status failure(String label, SimpleRequest request) throws InterruptedException {
        ManagedChannel channel = ContainerSuite.grpcChannel(label);
        try {
            TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).unaryCall(request);
            throw new AssertionError("the call to " + label + " succeeded");
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static Status failure(String label) throws InterruptedException {
        return failure(label, SimpleRequest.getDefaultInstance());
    }

    @Test
    void aBackendDnsDoesNotKnowIsUnavailable() throws Exception {
        Status s = failure("nosuchgrpc");
        assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
        assertEquals("no backend named nosuchgrpc", s.getDescription());
    }

    @Test
    void aBackendThatRefusesIsUnavailable() throws Exception {
        Status s = failure("refused");
        assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
        assertTrue(s.getDescription().contains("refused"), s.toString());
        String metrics = ContainerSuite.admin("/metrics").text();
        assertTrue(metrics.contains("hostproxy_grpc_calls_total{backend=\"refused\",grpc_status=\"14\"}"), metrics);
    }

    @Test
    void aLabelThatIsNotAllowedIsUnimplemented() throws Exception {
        Status s = failure("forbidden");
        assertEquals(Status.Code.UNIMPLEMENTED, s.getCode(), s.toString());
    }

    @Test
    void aClientThatIsNotAllowedIsDeniedPermission() throws Exception {
        Status s = failure("guarded"); // allowedClients=198.51.100.0/24 (SuiteRoutes)
        assertEquals(Status.Code.PERMISSION_DENIED, s.getCode(), s.toString());
        assertTrue(s.getDescription().contains("may not use this service"), s.toString());
    }

    @Test
    void aMessageOverTheBodyLimitExhaustsAResource() throws Exception {
        SimpleRequest big = SimpleRequest.newBuilder().setPayload(Payloads.zeros(4096)).build();
        Status s = failure("upload", big); // maxBodySize=1KB (SuiteRoutes)
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
    }

    /**
     * The route waits 30 s for a response; the call's {@code grpc-timeout} of 300 ms wins, and the
     * proxy answers {@code DEADLINE_EXCEEDED} itself. (Sent over HTTP/1.1 so that no client deadline
     * of its own races the proxy's; a real client's deadline ends the call either way.)
     */
    @Test
    void grpcTimeoutBoundsTheWaitForASilentBackend() throws Exception {
        try (SilentHttp2Server silent = SilentHttp2Server.start("127.0.0.41", Backends.PORT)) {
            long start = System.nanoTime();
            RawResponse r;
            try (RawClient c = new RawClient(ContainerSuite.port())) {
                r = c.send("POST /grpc.testing.TestService/EmptyCall HTTP/1.1\nHost: grpcsilent.proxy.test\n"
                        + "Content-Type: application/grpc\ngrpc-timeout: 300m\nContent-Length: 5\nConnection: close",
                        new byte[5]).read(); // one empty message: no compression, length 0
            }
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, r.status(), r.text());
            assertEquals("4", r.header("grpc-status"), "DEADLINE_EXCEEDED after " + tookMillis + " ms: " + r.headers());
            assertEquals("backend grpcsilent did not respond in time", r.header("grpc-message"));
            assertTrue(tookMillis < 10_000, "answered after " + tookMillis + " ms, not the route's 30 s");
        }
    }

    /**
     * A backend stuck in its handler: it speaks HTTP/2 (its SETTINGS, and an ACK of the client's) and
     * then never answers a stream. Each connection is read to its end on a thread of its own.
     */
    private static final class SilentHttp2Server implements AutoCloseable {
        private static final byte[] SETTINGS_AND_ACK = {0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0};
        private final ServerSocket server = new ServerSocket();
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        static SilentHttp2Server start(String host, int port) throws IOException {
            SilentHttp2Server s = new SilentHttp2Server();
            s.server.bind(new InetSocketAddress(host, port), 50);
            Thread acceptor = new Thread(s::serve, "silent-h2");
            acceptor.setDaemon(true);
            acceptor.start();
            return s;
        }

        private SilentHttp2Server() throws IOException {
        }

        private void serve() {
            for (int i = 0; i < 100 && !server.isClosed(); i++) {
                try {
                    Socket s = server.accept();
                    accepted.add(s);
                    s.getOutputStream().write(SETTINGS_AND_ACK);
                    Thread reader = new Thread(() -> {
                        try {
                            s.getInputStream().transferTo(OutputStream.nullOutputStream());
                        } catch (IOException gone) {
                            // closed by the proxy, or by close()
                        }
                    }, "silent-h2-reader");
                    reader.setDaemon(true);
                    reader.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    /** The backend's process dies between two messages: the client's call fails, it does not end well. */
    @Test
    void aBackendKilledMidStreamFailsTheCall() throws Exception {
        Process backend = startInteropProcess("127.0.0.42", Backends.PORT);
        ManagedChannel channel = ContainerSuite.grpcChannel("grpcdying");
        try {
            TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).emptyCall(Empty.getDefaultInstance());
            Recorder<StreamingOutputCallResponse> responses = new Recorder<>();
            TestServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .streamingOutputCall(Payloads.paced(50, 1000, 100_000).build(), responses);
            responses.take();
            responses.take();
            backend.destroyForcibly(); // SIGKILL
            responses.awaitEnd();
            Status status = responses.status();
            assertNotEquals(Status.Code.OK, status.getCode(), "a killed backend's stream must not end cleanly");
            assertNotEquals(Status.Code.DEADLINE_EXCEEDED, status.getCode(), "the end came with the kill");
            // A stream that ended well but without trailers would read "missing GRPC status in response":
            // the client's stream is reset (or its connection closed) instead, as a response cut short must be.
            assertTrue(status.getDescription().contains("RST_STREAM"), status.toString());
            assertTrue(responses.count() < 50, responses.count() + " messages");
        } finally {
            backend.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static Process startInteropProcess(String host, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                InteropServer.class.getName(), host, Integer.toString(port))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String[] line = new String[1];
        Thread reader = new Thread(() -> {
            try {
                line[0] = out.readLine();
            } catch (java.io.IOException e) {
                line[0] = e.toString();
            }
        });
        reader.setDaemon(true);
        reader.start();
        reader.join(Duration.ofSeconds(30).toMillis());
        if (line[0] == null || !line[0].startsWith("ready")) {
            p.destroyForcibly();
            throw new AssertionError("the interop server process did not start: " + line[0]);
        }
        return p;
    }
}
