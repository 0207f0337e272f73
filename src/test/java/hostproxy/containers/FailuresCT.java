package hostproxy.containers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Backends;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.Reply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Error statuses and aborted responses, on every container of the matrix. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FailuresCT {
    private static Backends backends;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ContainerSuite.rootWar();
    }

    @BeforeAll
    static void start() throws Exception {
        backends = Backends.start();
    }

    @AfterAll
    static void stop() throws Exception {
        backends.close();
    }

    @BeforeEach
    void reset() {
        backends.reset();
    }

    private static RawResponse get(String host) throws IOException {
        return RawClient.exchange(ContainerSuite.port(), "GET /f HTTP/1.1\nHost: " + host + "\nConnection: close");
    }

    @Test
    void aNameThatDoesNotResolveIsABadGatewayNamingIt() throws IOException {
        RawResponse r = get("nosuchservice.example.com");
        assertEquals(502, r.status());
        assertEquals("no backend named nosuchservice\n", r.text());
        assertEquals("text/plain;charset=utf-8", r.header("Content-Type").replace(" ", "").toLowerCase());
    }

    @Test
    void aRefusedConnectionIsABadGateway() throws IOException {
        RawResponse r = get("refused");
        assertEquals(502, r.status());
        assertEquals("backend refused refused the connection\n", r.text());
    }

    @Test
    void aConnectTimeoutIsAGatewayTimeout() throws Exception {
        try (ServerSocket blackhole = new ServerSocket()) {
            blackhole.bind(new InetSocketAddress("127.0.0.15", Backends.PORT), 1);
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(new InetSocketAddress("127.0.0.15", Backends.PORT), 200);
                        fillers.add(s);
                    } catch (IOException full) {
                        s.close();
                        break;
                    }
                }
                RawResponse r = get("blackhole");
                assertEquals(504, r.status());
                assertEquals("backend blackhole did not accept a connection in time\n", r.text());
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aSilentBackendIsAGatewayTimeout() throws IOException {
        backends.alpha.handle(req -> (out, socket) -> {
            try {
                Thread.sleep(2_500); // longer than responseTimeout=1s
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        });
        RawResponse r = get("alpha");
        assertEquals(504, r.status());
        assertEquals("backend alpha did not respond in time\n", r.text());
    }

    @Test
    void aBackendDyingBeforeAnyByteOfItsResponseIsABadGateway() throws IOException {
        backends.alpha.handle(req -> (out, socket) -> false);
        RawResponse r = get("alpha");
        assertEquals(502, r.status());
        assertEquals("backend alpha closed the connection without a response\n", r.text());
    }

    @Test
    void aBackendDyingMidBodyWithContentLengthLeavesTheClientAnIncompleteResponse() throws IOException {
        backends.alpha.handle(req -> Reply.head("HTTP/1.1 200 OK\nContent-Length: 100000", (out, socket) -> {
            out.write(new byte[40_000]);
            out.flush();
            return false;
        }));
        RawResponse r = get("alpha");
        assertEquals(200, r.status());
        assertFalse(r.complete(), "a truncated body must not look complete (got " + r.body().length + " bytes)");
    }

    /**
     * Container difference (open): hostproxy throws out of the servlet to abort a response whose
     * backend broke off. Tomcat then closes the connection without the last chunk; Jetty 12 and
     * WildFly (Undertow) complete the chunked message instead, so a truncated body looks complete.
     * Not handled yet: skipped there, with this reason, until the code aborts those containers'
     * connections itself. (A Content-Length response is incomplete on every container.)
     */
    @Test
    void aBackendDyingMidChunkedBodyLeavesTheClientWithoutTheLastChunk() throws IOException {
        Assumptions.assumeTrue(ContainerSuite.container().isTomcat(),
                "open container difference: " + ContainerSuite.container()
                        + " completes a chunked response when the servlet throws after commit");
        backends.alpha.handle(req -> Reply.head("HTTP/1.1 200 OK\nTransfer-Encoding: chunked", (out, socket) -> {
            out.write("5\r\nhello\r\n".getBytes(UTF_8));
            out.flush();
            return false;
        }));
        RawResponse r = get("alpha");
        assertEquals(200, r.status());
        assertFalse(r.complete(), "the response must not end with a last chunk");
        assertTrue(r.body().length <= 5);
    }
}
