package hostproxy.containers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.KeepAliveClient;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Timeout;

/** Error statuses and aborted responses, on every container of the matrix. */
@RunAsClient
class FailuresCT extends ContainerScenario {

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

    /**
     * Refusals come within microseconds, often while the container is still in the request: 300 in a
     * row on one connection, each answered {@code 502}, none stuck. (The answer's write listener is set
     * outside the exchange's gate: inside it, the backend I/O thread could wait for the connection's
     * lock, held by a container thread that waits at the gate.)
     */
    @Test
    void quickRefusalsInARowAreEachAnswered() throws IOException {
        try (KeepAliveClient c = new KeepAliveClient(ContainerSuite.port())) {
            for (int i = 0; i < 300; i++) {
                RawResponse r = c.send("GET /f" + i + " HTTP/1.1\nHost: refused");
                assertEquals(502, r.status(), "request " + i);
            }
        }
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
        assertEquals("backend alpha closed the connection before answering\n", r.text());
    }

    /** Also for a path that climbs above the root, relayed as sent, which the container could not dispatch to. */
    @ParameterizedTest
    @ValueSource(strings = {"/f", "/..%2F..%2Ff"})
    void aBackendDyingMidBodyWithContentLengthLeavesTheClientAnIncompleteResponse(String path) throws Exception {
        // The backend dies only once bytes of its body reached the client: had it died before the
        // relay wrote any (a loaded machine, WildFly), the client would rightly get a clean 502.
        CountDownLatch relayed = new CountDownLatch(1);
        backends.alpha.handle(req -> Reply.head("HTTP/1.1 200 OK\nContent-Length: 100000", (out, socket) -> {
            out.write(new byte[40_000]);
            out.flush();
            try {
                relayed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }));
        RawResponse r;
        try (RawClient c = new RawClient(ContainerSuite.port())) {
            c.send("GET " + path + " HTTP/1.1\nHost: alpha\nConnection: close", null);
            Await.until(() -> available(c) > 0, Duration.ofSeconds(10), "the head and bytes of the body reach the client");
            relayed.countDown();
            r = c.read();
        }
        assertEquals(200, r.status());
        assertFalse(r.complete(), "a truncated body must not look complete (got " + r.body().length + " bytes)");
    }

    /**
     * Container difference: the Servlet API cannot abort a committed response. Tomcat closes the
     * connection without the last chunk when the servlet throws after commit; Jetty and Undertow
     * need their own calls ({@code ConnectionAbort}). The request is keep-alive, as a browser's or
     * curl's: to a {@code Connection: close} request Jetty and Undertow answer a body of unknown
     * length close-delimited, not chunked, and such a body cannot be marked truncated at all
     * (RFC 9112 §6.3); Tomcat stays chunked. A Content-Length response is incomplete everywhere.
     */
    @Test
    void aBackendDyingMidChunkedBodyLeavesTheClientWithoutTheLastChunk() throws Exception {
        // The backend dies only once its first chunk reached the client: had it died in the same
        // read, nothing would have been relayed and the client would rightly get a clean 502.
        CountDownLatch relayed = new CountDownLatch(1);
        backends.alpha.handle(req -> Reply.head("HTTP/1.1 200 OK\nTransfer-Encoding: chunked", (out, socket) -> {
            out.write("5\r\nhello\r\n".getBytes(UTF_8));
            out.flush();
            try {
                relayed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }));
        RawResponse r;
        try (RawClient keepAlive = new RawClient(ContainerSuite.port())) {
            keepAlive.send("GET /f HTTP/1.1\nHost: alpha", null);
            Await.until(() -> available(keepAlive) > 0, Duration.ofSeconds(10), "the head and first chunk reach the client");
            relayed.countDown();
            r = keepAlive.read();
        }
        assertEquals(200, r.status());
        assertEquals("chunked", r.header("Transfer-Encoding"));
        assertFalse(r.complete(), "the response must not end with a last chunk");
        assertTrue(r.body().length <= 5);
    }

    /**
     * Each container tells the servlet in its own way that a client went away (a failed write,
     * sooner or later): every aborted download must still give its pooled connection back.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES) // 1,000 downloads, each with bounded waits
    void clientsThatDisconnectMidDownloadReleaseTheirBackendConnections() throws Exception {
        // An endless body: only the client's disconnect can end each exchange.
        backends.beta.handle(req -> Reply.endlessChunked());
        for (int i = 0; i < 1000; i++) {
            // A container tells of a client gone only when its write fails, which a loaded machine
            // may delay past the suite's 500 ms wait for a pooled connection: wait for a free one.
            Await.until(() -> backends.beta.openConnections() < 10, Duration.ofSeconds(10),
                    "an aborted download gives its backend connection back");
            try (RawClient c = new RawClient(ContainerSuite.port())) {
                c.send("GET /endless HTTP/1.1\nHost: beta", null);
                InputStream in = c.input();
                byte[] first = in.readNBytes(1024);
                assertEquals(1024, first.length, "download " + i + " started: " + new String(first, UTF_8));
            }
        }
        // The pool holds 10 connections per backend: each aborted download must have given its own back.
        Await.until(() -> backends.beta.openConnections() == 0, Duration.ofSeconds(10),
                "the backend sees every connection of an aborted download closed");
        // ...and each ended its exchange: none is left counted, which would hold up a drain for nothing
        Await.until(() -> exchangesInFlight() == 0, Duration.ofSeconds(10), "no exchange is left in flight");
        backends.beta.reset();
        long start = System.nanoTime();
        RawResponse r = get("beta");
        assertEquals(200, r.status());
        assertTrue(System.nanoTime() - start < 400_000_000L, "a normal request is served at once");
    }


    /**
     * An upload stalled before any response gets 408: from the backend's side after the suite's
     * 1 s {@code responseTimeout} (the backend waits for the body too), else after its 2 s
     * {@code clientIdleTimeout}; never at once.
     */
    @Test
    void aStalledUploadGets408() throws IOException {
        try (RawClient c = new RawClient(ContainerSuite.port())) {
            c.send("POST /up HTTP/1.1\nHost: alpha\nContent-Length: 1000", "x".repeat(100).getBytes(UTF_8));
            long start = System.nanoTime();
            RawResponse r = c.read();
            long waited = System.nanoTime() - start;
            assertEquals(408, r.status(), r.statusLine() + " " + r.text());
            assertEquals("the request body did not arrive in time\n", r.text());
            assertTrue(waited > 800_000_000L && waited < 8_000_000_000L, "cut off after 1 to 2 s: " + waited / 1_000_000 + " ms");
        }
    }

    /**
     * A client that stops reading is cut off after {@code clientIdleTimeout}: its backend
     * connection closes and its own connection ends without a last chunk, whatever the container.
     */
    @Test
    void aClientThatStopsReadingIsCutOff() throws Exception {
        backends.beta.handle(req -> Reply.endlessChunked());
        try (RawClient c = new RawClient(ContainerSuite.port())) {
            c.send("GET /endless HTTP/1.1\nHost: beta", null);
            InputStream in = c.input();
            assertEquals(1024, in.readNBytes(1024).length, "the download started");
            Await.until(() -> backends.beta.openConnections() == 0, Duration.ofSeconds(20),
                    "the backend's connection is dropped once the client stalled for clientIdleTimeout");
            byte[] tail = c.readTail(Duration.ofSeconds(15));
            assertTrue(tail != null, "the proxy closes the client's connection");
            assertFalse(new String(tail, UTF_8).endsWith("\r\n0\r\n\r\n"), "the download must not end with a last chunk");
        }
    }

    /** The in-flight gauge of the admin port's metrics. */
    private static double exchangesInFlight() {
        String metrics;
        try {
            metrics = ContainerSuite.admin("/metrics").text();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return metrics.lines().filter(l -> l.startsWith("hostproxy_requests_in_flight "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no in-flight gauge in " + metrics));
    }

    private static int available(RawClient c) {
        try {
            return c.input().available();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
