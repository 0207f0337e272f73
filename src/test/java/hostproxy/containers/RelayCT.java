package hostproxy.containers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.containers.ContainerSuite.Container;
import hostproxy.it.support.Await;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.RecordedRequest;
import hostproxy.it.support.Reply;
import hostproxy.it.support.TestBackend;
import java.io.ByteArrayOutputStream;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What reaches the backend and what comes back, byte for byte, on every container of the matrix. */
@RunAsClient
class RelayCT extends ContainerScenario {
    private TestBackend alpha;
    private int servedBefore;

    @BeforeEach
    void countServed() {
        alpha = backends.alpha;
        servedBefore = alpha.requestCount();
    }

    private static int port() {
        return ContainerSuite.port();
    }

    private static RawResponse send(String head) throws Exception {
        return RawClient.exchange(port(), head + "\nConnection: close");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PURGE", "MKCOL", "X-EXTENSION"})
    void everyMethodIsRelayed(String method) throws Exception {
        RawResponse r = send(method + " /m HTTP/1.1\nHost: alpha");
        assertEquals(200, r.status(), method);
        assertEquals(method, alpha.takeRequest().method());
    }

    /**
     * Container difference (TRACE): no container hands TRACE to the application by default. Tomcat
     * answers it itself with 405 unless its connector sets {@code allowTrace="true"}; WildFly's
     * Undertow listener has TRACE in its default {@code disallowed-methods} (405); Jetty's default
     * descriptor ({@code webdefault-ee10.xml}) forbids it with a security constraint (403).
     */
    @Test
    void traceIsRefusedByTheContainer() throws Exception {
        RawResponse r = send("TRACE /t HTTP/1.1\nHost: alpha");
        assertEquals(ContainerSuite.container() == Container.JETTY12 ? 403 : 405, r.status());
        assertEquals(0, alpha.requestCount() - servedBefore, "TRACE never reaches the backend");
    }

    /**
     * Container difference (raw request URI): a proxy must forward {@code %2F}, {@code %25} and
     * {@code ..%2F} as sent. Tomcat rejects {@code %2F} unless the connector sets
     * {@code encodedSolidusHandling="passthrough"}; Jetty 12's default UriCompliance rejects
     * ambiguous paths unless the connector uses a legacy compliance and the servlet handler decodes
     * ambiguous URIs; the suite applies each container's setting from {@code conf/}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/a%2Fb/c", "/%25/x%2541", "/a%3Bb;c=d/e;f", "/caf%C3%A9/%E2%82%AC?name=%C3%A9t%C3%A9",
            "/a?x=1&x=2&x=&&y", "/search?q=a+b&q=c%20d&r=%2B", "/p?q=a/b?c", "/;jsessionid=1?x",
            "/..%2F..%2Fetc", "/a//b///c"})
    void pathAndQueryArriveByteForByte(String target) throws Exception {
        RawResponse r = send("GET " + target + " HTTP/1.1\nHost: alpha.example.com");
        assertEquals(200, r.status(), target);
        assertEquals(target, alpha.takeRequest().target());
    }

    /**
     * Container difference (empty query): {@code /a?} has an empty query. Tomcat and Jetty report it
     * as {@code ""} and hostproxy forwards {@code /a?}; WildFly (Undertow) reports no query at all,
     * so {@code /a} is forwarded (the same resource, RFC 3986 §6.2.3, but not the same bytes).
     */
    @Test
    void anEmptyQueryIsKeptWhereTheContainerReportsIt() throws Exception {
        RawResponse r = send("GET /a? HTTP/1.1\nHost: alpha.example.com");
        assertEquals(200, r.status());
        assertEquals(ContainerSuite.container() == Container.WILDFLY ? "/a" : "/a?", alpha.takeRequest().target());
    }

    @Test
    void aBodyWithContentLengthKeepsItsLength() throws Exception {
        byte[] body = random(300_000);
        try (RawClient c = new RawClient(port())) {
            c.send("PUT /upload HTTP/1.1\nHost: alpha\nContent-Type: application/octet-stream\nContent-Length: "
                    + body.length, body);
            assertEquals(200, c.read().status());
        }
        RecordedRequest got = alpha.takeRequest();
        assertEquals(Integer.toString(body.length), got.header("Content-Length"));
        assertFalse(got.chunked());
        assertArrayEquals(body, got.body());
    }

    @Test
    void aChunkedBodyIsStreamedChunked() throws Exception {
        try (RawClient c = new RawClient(port())) {
            c.send("POST /c HTTP/1.1\nHost: alpha\nTransfer-Encoding: chunked",
                    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n".getBytes(UTF_8));
            assertEquals(200, c.read().status());
        }
        RecordedRequest got = alpha.takeRequest();
        assertTrue(got.chunked());
        assertNull(got.header("Content-Length"));
        assertEquals("hello world", got.bodyText());
    }

    @Test
    void aRequestBodyIsStreamedBeforeItEnds() throws Exception {
        try (RawClient c = new RawClient(port())) {
            c.send("POST /s HTTP/1.1\nHost: alpha\nTransfer-Encoding: chunked", "5\r\nfirst\r\n".getBytes(UTF_8));
            Await.until(() -> alpha.received().contains("first"), Duration.ofSeconds(5),
                    "the backend receives the first chunk while the body is still being sent");
            c.sendRaw("6\r\nsecond\r\n0\r\n\r\n".getBytes(UTF_8));
            assertEquals(200, c.read().status());
        }
        assertEquals("firstsecond", alpha.takeRequest().bodyText());
    }

    /**
     * A body whose chunked framing breaks mid-way gets {@code 400} from the proxy or the container, or
     * its connection dropped; never a clean, empty {@code 200}. The backend never sees it end.
     * (On gamma, which no other test here uses: its record of received bytes is this test's alone.)
     */
    @Test
    void aBodyWhoseFramingBreaksGets400OrIsDroppedAndTheBackendNeverSeesItEnd() throws Exception {
        TestBackend gamma = backends.gamma;
        try (RawClient c = new RawClient(port())) {
            c.send("POST /bad HTTP/1.1\nHost: gamma\nTransfer-Encoding: chunked", "5\r\nfirst\r\n".getBytes(UTF_8));
            Await.until(() -> gamma.received().contains("\r\nfirst\r\n"), Duration.ofSeconds(5), "the body is under way");
            c.sendRaw("zz\r\nnot a chunk\r\n".getBytes(UTF_8));
            RawResponse r;
            try {
                r = c.read();
            } catch (SocketException closed) {
                r = null; // Tomcat and Undertow drop a connection whose framing they lost: fine too
            }
            if (r != null) {
                assertEquals(400, r.status(), r.statusLine() + " " + r.text());
            }
        }
        Await.until(() -> gamma.openConnections() == 0, Duration.ofSeconds(5), "the backend's connection is dropped");
        assertFalse(gamma.received().contains("\r\n0\r\n\r\n"), "the backend saw a last chunk: " + gamma.received());
    }

    /**
     * Requests a client pipelines (RFC 9112 §9.3.2) are each relayed, once, and answered in order on
     * the one connection, byte-exact: a path climbing above the root, a body and an error answer among
     * them. On Tomcat the requests after the first are served inside the call that ends the response
     * before them, on a backend I/O thread, and set aside to a container thread first
     * ({@code ServletReentry}).
     */
    @Test
    void pipelinedRequestsAreEachRelayedAndAnsweredInOrder() throws Exception {
        String pipelined = "GET /pipe/1 HTTP/1.1\r\nHost: alpha\r\n\r\n"
                + "GET /..%2F..%2Fpipe/2?q=%2F HTTP/1.1\r\nHost: beta\r\n\r\n"
                + "GET /pipe/3 HTTP/1.1\r\nHost: delta.example.com\r\n\r\n"
                + "POST /pipe/4 HTTP/1.1\r\nHost: alpha\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /pipe/5 HTTP/1.1\r\nHost: alpha\r\n\r\n";
        int betaBefore = backends.beta.requestCount();
        try (RawClient c = new RawClient(port())) {
            c.sendRaw(pipelined.getBytes(UTF_8));
            RawResponse first = c.read();
            RawResponse second = c.read();
            RawResponse third = c.read();
            RawResponse fourth = c.read();
            RawResponse fifth = c.read();
            assertEquals("200 method=GET\ntarget=/pipe/1\nbody=0\n", first.status() + " " + first.text());
            assertEquals("200 method=GET\ntarget=/..%2F..%2Fpipe/2?q=%2F\nbody=0\n", second.status() + " " + second.text());
            assertEquals(404, third.status(), third.text());
            assertEquals("200 method=POST\ntarget=/pipe/4\nbody=5\n", fourth.status() + " " + fourth.text());
            assertEquals("200 method=GET\ntarget=/pipe/5\nbody=0\n", fifth.status() + " " + fifth.text());
        }
        assertEquals(servedBefore + 3, alpha.requestCount(), "alpha served /pipe/1, /pipe/4 and /pipe/5 once each");
        assertEquals(betaBefore + 1, backends.beta.requestCount(), "beta served /pipe/2 once");
    }

    /** Every container answers {@code Expect: 100-continue} itself once the application reads the body. */
    @Test
    void expectContinueIsAnsweredAndTheBodyFollows() throws Exception {
        try (RawClient c = new RawClient(port())) {
            c.send("POST /e HTTP/1.1\nHost: alpha\nExpect: 100-continue\nContent-Length: 5", null);
            assertEquals(100, c.read().status());
            c.sendRaw("hello".getBytes(UTF_8));
            assertEquals(200, c.read().status());
        }
        RecordedRequest got = alpha.takeRequest();
        assertEquals("hello", got.bodyText());
        assertNull(got.header("Expect"));
    }

    @ParameterizedTest
    @ValueSource(ints = {201, 204, 304, 404, 418, 500, 503, 599})
    void theStatusPassesThrough(int status) throws Exception {
        alpha.handle(req -> status == 204 || status == 304
                ? Reply.head("HTTP/1.1 " + status + " Custom", (out, s) -> true)
                : Reply.text(status, "s" + status));
        RawResponse r = send("GET /s HTTP/1.1\nHost: alpha");
        assertEquals(status, r.status());
        if (status != 204 && status != 304) {
            assertEquals("s" + status, r.text());
        }
    }

    @Test
    void endToEndResponseHeadersPassUntouched() throws Exception {
        alpha.handle(req -> Reply.text(302, "moved",
                "Set-Cookie: a=1; Path=/; HttpOnly", "Set-Cookie: b=2; Path=/x",
                "Location: http://alpha.example.com/next?x=%2F", "X-Custom: one", "X-Custom: two", "ETag: \"abc\""));
        RawResponse r = send("GET /h HTTP/1.1\nHost: alpha");
        assertEquals(302, r.status());
        assertEquals(List.of("a=1; Path=/; HttpOnly", "b=2; Path=/x"), r.headers("Set-Cookie"));
        assertEquals("http://alpha.example.com/next?x=%2F", r.header("Location"));
        assertEquals(List.of("one", "two"), r.headers("X-Custom"));
        assertEquals("\"abc\"", r.header("ETag"));
    }

    /**
     * One policy on every container: the client gets the backend's {@code Server} and {@code Date},
     * once each. (Jetty presets both: {@code conf/jetty} turns its {@code Server} off, and the
     * backend's fields replace what the container set.)
     */
    @Test
    void theBackendsServerAndDateReachTheClientOnce() throws Exception {
        String date = "Tue, 01 Dec 2026 10:00:00 GMT";
        alpha.handle(req -> Reply.text(200, "ok", "Server: backend/1.0", "Date: " + date));
        RawResponse r = send("GET /sd HTTP/1.1\nHost: alpha");
        assertEquals(List.of("backend/1.0"), r.headers("Server"));
        assertEquals(List.of(date), r.headers("Date"));
    }

    /** A backend without {@code Server} or {@code Date}: the container adds its {@code Date} (RFC 9110 §6.6.1), no {@code Server}. */
    @Test
    void withoutTheBackendsServerAndDateTheContainerAddsOnlyADate() throws Exception {
        alpha.handle(req -> Reply.text(200, "ok"));
        RawResponse r = send("GET /sd HTTP/1.1\nHost: alpha");
        assertEquals(List.of(), r.headers("Server"));
        assertEquals(1, r.headers("Date").size(), r.headers("Date").toString());
    }

    @Test
    void compressedBodiesPassAsTheyAreWithTheirLength() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write("compressible ".repeat(1000).getBytes(UTF_8));
        }
        byte[] compressed = gz.toByteArray();
        alpha.handle(req -> Reply.raw(200, compressed, "Content-Encoding: gzip", "Content-Type: text/plain"));
        RawResponse r = send("GET /gz HTTP/1.1\nHost: alpha\nAccept-Encoding: gzip");
        assertEquals("gzip", r.header("Content-Encoding"));
        assertEquals(Integer.toString(compressed.length), r.header("Content-Length"));
        assertArrayEquals(compressed, r.body());
    }

    @Test
    void aLargeBodyStreamsIntact() throws Exception {
        byte[] big = random(8 * 1024 * 1024);
        alpha.handle(req -> Reply.raw(200, big));
        RawResponse r = send("GET /big HTTP/1.1\nHost: alpha");
        assertTrue(r.complete());
        assertArrayEquals(big, r.body());
    }

    @Test
    void eachServerSentEventArrivesWhenTheBackendWritesIt() throws Exception {
        CountDownLatch clientSawFirst = new CountDownLatch(1);
        alpha.handle(req -> Reply.head("HTTP/1.1 200 OK\nContent-Type: text/event-stream\nTransfer-Encoding: chunked",
                (out, socket) -> {
                    out.write(chunk("data: one\n\n"));
                    out.flush();
                    try {
                        if (!clientSawFirst.await(10, TimeUnit.SECONDS)) {
                            return false;
                        }
                    } catch (InterruptedException e) {
                        return false;
                    }
                    out.write(chunk("data: two\n\n"));
                    out.write("0\r\n\r\n".getBytes(UTF_8));
                    out.flush();
                    return true;
                }));
        try (RawClient c = new RawClient(port())) {
            c.send("GET /events HTTP/1.1\nHost: alpha\nAccept: text/event-stream", null);
            String line;
            do {
                line = c.readLine();
            } while (line != null && !line.equals("data: one"));
            assertEquals("data: one", line, "the first event must arrive while the backend is still writing");
            clientSawFirst.countDown();
            do {
                line = c.readLine();
            } while (line != null && !line.equals("data: two"));
            assertEquals("data: two", line);
        }
    }

    @Test
    void hopByHopRequestHeadersNeverReachTheBackend() throws Exception {
        send("GET /hop HTTP/1.1\nHost: alpha\nConnection: keep-alive, X-Secret-Hop\nX-Secret-Hop: 1\nKeep-Alive: timeout=5"
                + "\nProxy-Connection: keep-alive\nTE: trailers\nTrailer: X-T\nProxy-Authorization: Basic eA=="
                + "\nProxy: http://evil:3128\nX-End-To-End: kept");
        RecordedRequest got = alpha.takeRequest();
        for (String name : List.of("X-Secret-Hop", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
                "Proxy-Authorization", "Proxy")) {
            assertTrue(got.headers(name).isEmpty(), name + " crossed: " + got.headers(name));
        }
        assertEquals("kept", got.header("X-End-To-End"));
    }

    @Test
    void hopByHopResponseHeadersNeverReachTheClient() throws Exception {
        alpha.handle(req -> Reply.text(200, "ok", "Connection: X-Backend-Hop", "X-Backend-Hop: 1",
                "Keep-Alive: timeout=5", "Proxy-Authenticate: Basic", "Trailer: X-T", "Upgrade: h2c",
                "Proxy-Connection: close", "X-End-To-End: kept"));
        RawResponse r = send("GET /hop HTTP/1.1\nHost: alpha");
        for (String name : List.of("X-Backend-Hop", "Keep-Alive", "Proxy-Authenticate", "Trailer", "Upgrade",
                "Proxy-Connection")) {
            assertTrue(r.headers(name).isEmpty(), name + " crossed: " + r.headers(name));
        }
        assertEquals("kept", r.header("X-End-To-End"));
        assertEquals("ok", r.text());
    }

    @Test
    void forwardedHeadersTellTheBackendWhoAskedForWhat() throws Exception {
        send("GET /fwd HTTP/1.1\nHost: alpha.example.com:" + port()
                + "\nX-Forwarded-For: 203.0.113.7\nX-Forwarded-Proto: https\nX-Forwarded-Host: forged.example");
        RecordedRequest got = alpha.takeRequest();
        assertEquals("alpha.example.com:" + port(), got.header("Host"), "preserveHost=true keeps the client's Host");
        assertEquals("127.0.0.1", got.header("X-Forwarded-For"), "a client that is no trusted proxy cannot forge its address");
        assertEquals("http", got.header("X-Forwarded-Proto"), "a client cannot forge the scheme");
        assertEquals("alpha.example.com:" + port(), got.header("X-Forwarded-Host"));
        assertEquals(Integer.toString(port()), got.header("X-Forwarded-Port"));
        assertEquals("for=127.0.0.1;host=\"alpha.example.com:" + port() + "\";proto=http", got.header("Forwarded"));
        assertTrue(got.header("Via").matches("1\\.1 hostproxy-[0-9a-f]{8}"), got.header("Via"));
    }

    @Test
    void nothingOfTheClientLibraryIsAdded() throws Exception {
        send("GET /ua HTTP/1.1\nHost: alpha");
        RecordedRequest got = alpha.takeRequest();
        assertNull(got.header("User-Agent"));
        assertNull(got.header("Accept-Encoding"));
        assertNull(got.header("Cookie"));
    }

    private static byte[] chunk(String data) {
        byte[] d = data.getBytes(UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((Integer.toHexString(d.length) + "\r\n").getBytes(UTF_8));
        out.writeBytes(d);
        out.writeBytes("\r\n".getBytes(UTF_8));
        return out.toByteArray();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
