package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Backends;
import hostproxy.it.support.Http2Backend;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A backend reached over HTTP/2 by an {@code h2c} route: a Jetty server that speaks h2c alone (an
 * HTTP/1.1 request would get nothing from it), behind the proxy in the test JVM's Tomcat 11, with
 * an HTTP/1.1 client in front. Bodies cross byte for byte both ways, and the backend saw HTTP/2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2BackendIT {
    private static final int MIB = 1 << 20;
    private Http2Backend backend;
    private ProxyServer proxy;
    private HttpClient client;

    @BeforeAll
    void start() throws Exception {
        backend = Http2Backend.start("127.0.0.17", Backends.PORT);
        proxy = ProxyServer.start(Map.of("routes", "h2app=h2c://h2app:" + Backends.PORT));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @BeforeEach
    void reset() {
        backend.reset();
    }

    private HttpRequest.Builder toProxy(String path) {
        return HttpRequest.newBuilder(URI.create("http://h2app.proxy.test:" + proxy.port() + path))
                .timeout(Duration.ofSeconds(20));
    }

    /**
     * Active health checks of an HTTP/2 backend speak HTTP/2 (the backend answers nothing over
     * HTTP/1.1), to each address DNS gives (hostproxy's DNS: the JVM's resolver knows no such name):
     * the live one passes and takes every request, the dead one is never tried.
     */
    @Test
    void healthChecksOfAnHttp2BackendGoOverHttp2ToEachAddress() throws Exception {
        // a backend of its own: checks still under way when the proxy closes must not reach the other tests'
        try (Http2Backend live = Http2Backend.start("127.0.0.44", Backends.PORT);
             ProxyServer checked = ProxyServer.start(Map.of("routes", "h2two=h2c://h2two:" + Backends.PORT,
                     "healthCheckPath", "/bytes/3", "healthCheckInterval", "300ms", "healthCheckTimeout", "1s"))) {
            checked.dns().set("h2two", "127.0.0.44", "127.0.0.43"); // nothing listens on .43
            for (int i = 0; i < 6; i++) {
                RawResponse r = RawClient.exchange(checked.port(), "GET /bytes/5 HTTP/1.1\nHost: h2two\nConnection: close");
                assertEquals(200, r.status(), "request " + i + ": " + r.text());
                assertArrayEquals(Http2Backend.bytes(5), r.body());
            }
            Http2Backend.Received check = live.take();
            for (int i = 0; i < 20 && !check.target().equals("/bytes/3"); i++) {
                check = live.take(); // a request's own, or another check's
            }
            assertEquals("/bytes/3", check.target());
            assertEquals("HTTP/2.0", check.protocol());
            assertEquals("hostproxy-health-check", check.header("User-Agent"));
            assertEquals("h2two:" + Backends.PORT, check.authority(), "the backend's own name");
        }
    }

    @Test
    void aMebibyteGoesUpAndComesBackByteForByteOverHttp2() throws Exception {
        byte[] body = new byte[MIB];
        new Random(20).nextBytes(body);
        HttpResponse<byte[]> r = client.send(toProxy("/echo").POST(BodyPublishers.ofByteArray(body)).build(),
                BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(body, r.body(), "the echo, byte for byte");
        Http2Backend.Received got = backend.take();
        assertEquals("HTTP/2.0", got.protocol());
        assertEquals("POST", got.method());
        assertEquals("/echo", got.target());
        assertEquals("h2app.proxy.test:" + proxy.port(), got.authority(), "the client's Host, as :authority (preserveHost)");
        assertArrayEquals(body, got.body(), "the upload as the backend received it");
        assertEquals("http", got.header("X-Forwarded-Proto"), "h2c is a protocol, not the request's scheme");
    }

    @Test
    void aMebibyteComesDownByteForByteOverHttp2() throws Exception {
        HttpResponse<byte[]> r = client.send(toProxy("/bytes/" + MIB).build(), BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(Http2Backend.bytes(MIB), r.body());
        assertEquals("HTTP/2.0", backend.take().protocol());
    }

    /** One exchange at a time: each reuses the pooled HTTP/2 connection of the one before. */
    @Test
    void exchangesOneAfterAnotherShareOnePooledConnection() throws Exception {
        Set<String> connections = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<byte[]> r = client.send(toProxy("/bytes/" + (1000 + i)).build(), BodyHandlers.ofByteArray());
            assertArrayEquals(Http2Backend.bytes(1000 + i), r.body());
            connections.add(backend.take().connection());
        }
        assertEquals(1, connections.size(), "connections used: " + connections);
    }

    /** The backend's trailers reach an HTTP/1.1 client that takes them (TE: trailers) after the last chunk. */
    @Test
    void responseTrailersReachAClientThatTakesThem() throws Exception {
        String request = "POST /echo?trailers HTTP/1.1\r\nHost: h2app.proxy.test\r\nContent-Length: 5\r\n"
                + "Connection: close\r\n%s\r\nhello";
        String taken = exchangeRaw(String.format(request, "TE: trailers\r\n"));
        assertTrue(taken.contains("\r\n0\r\nx-length: 5\r\n\r\n"), taken);
        assertTrue(backend.take().header("te") != null, "TE: trailers went on to the HTTP/2 backend");
        String notTaken = exchangeRaw(String.format(request, ""));
        assertTrue(notTaken.startsWith("HTTP/1.1 200") && !notTaken.contains("x-length"), notTaken);
        assertEquals(null, backend.take().header("te"), "no TE without the client's");
    }

    /** What the proxy answers, every byte until it closes the connection. */
    private String exchangeRaw(String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /** A WebSocket tunnel is HTTP/1.1's Upgrade; an HTTP/2 backend cannot take one. */
    @Test
    void anUpgradeToAnHttp2BackendIsRefused() throws Exception {
        RawResponse r = RawClient.exchange(proxy.port(), "GET /ws HTTP/1.1\nHost: h2app.proxy.test\nConnection: Upgrade\n"
                + "Upgrade: websocket\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        assertEquals(502, r.status(), r.text());
        assertTrue(r.text().contains("reached over h2c"), r.text());
    }
}
