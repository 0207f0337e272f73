package hostproxy.containers;

import hostproxy.it.support.Backends;
import hostproxy.it.support.Field;
import hostproxy.it.support.Http2Backend;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;


/**
 * HTTP/2 on both sides: the JDK's client over h2c to the container, and the {@code h2c} route
 * {@code h2app} to a Jetty server that speaks h2c alone (ContainerSuite's routes). Bodies cross
 * byte for byte both ways, with and without a length, and the backend saw HTTP/2 streams.
 */
class Http2BackendCT extends ContainerScenario {
    private static final int MIB = 1 << 20;
    private static Http2Backend backend;
    private HttpClient client;

    @BeforeAll
    static void startHttp2Backend() throws Exception {
        backend = Http2Backend.start("127.0.0.17", Backends.PORT);
    }

    @AfterAll
    static void stopHttp2Backend() throws Exception {
        backend.close();
    }

    /** The JDK's client upgrades its connection to HTTP/2 on its first request (a GET, without body). */
    @BeforeEach
    void upgradeToHttp2() throws Exception {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<byte[]> first = client.send(request("/bytes/16").build(), BodyHandlers.ofByteArray());
        assertEquals(200, first.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, first.version(), "the client's side is not HTTP/2");
        backend.reset();
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://h2app.proxy.test:" + ContainerSuite.port() + path))
                .timeout(Duration.ofSeconds(20));
    }

    /**
     * A request's trailer fields reach the backend, here as an HTTP/2 HEADERS frame after the body;
     * one the trailers' own {@code Connection} names does not (RFC 9110 §6.5, §7.6.1). (Tomcat hands
     * over only the names its connector's {@code allowedTrailerHeaders} lists: the suite's lists
     * {@code x-checksum}, {@code x-private} and {@code connection}.)
     */
    @Test
    void aRequestsTrailersReachTheBackend() throws Exception {
        RawResponse r;
        try (RawClient c = new RawClient(ContainerSuite.port())) {
            c.send("POST /echo HTTP/1.1\nHost: h2app.proxy.test\nTransfer-Encoding: chunked\nConnection: close", null);
            c.sendRaw("5\r\nhello\r\n0\r\nx-checksum: 5d41402a\r\nx-private: 1\r\nconnection: x-private\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            r = c.read();
        }
        assertEquals(200, r.status(), r.text());
        assertEquals("hello", r.text());
        Http2Backend.Received got = backend.take();
        assertEquals(List.of(new Field("x-checksum", "5d41402a")), got.trailers());
    }

    @Test
    void aMebibyteWithItsLengthGoesUpAndComesBackByteForByte() throws Exception {
        byte[] body = random(MIB, 1);
        HttpResponse<byte[]> r = client.send(request("/echo").POST(BodyPublishers.ofByteArray(body)).build(),
                BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertArrayEquals(body, r.body(), "the echo, byte for byte");
        Http2Backend.Received got = backend.take();
        assertEquals("HTTP/2.0", got.protocol());
        assertArrayEquals(body, got.body(), "the upload as the backend received it");
    }

    @Test
    void aMebibyteWithoutLengthGoesUpAndComesBackByteForByte() throws Exception {
        byte[] body = random(MIB, 2);
        HttpRequest post = request("/echo").POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
        HttpResponse<byte[]> r = client.send(post, BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(body, r.body());
        assertArrayEquals(body, backend.take().body());
    }

    @Test
    void aMebibyteComesDownByteForByte() throws Exception {
        HttpResponse<byte[]> r = client.send(request("/bytes/" + MIB).build(), BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(Http2Backend.bytes(MIB), r.body());
        assertEquals("HTTP/2.0", backend.take().protocol());
    }

    /** Streams at once on the client's one connection, each its own exchange with the backend. */
    @Test
    void concurrentStreamsEachGetTheirOwnBytes() throws Exception {
        List<CompletableFuture<HttpResponse<byte[]>>> pending = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pending.add(client.sendAsync(request("/bytes/" + (256 * 1024 + i)).build(), BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < pending.size(); i++) {
            HttpResponse<byte[]> r = pending.get(i).get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertArrayEquals(Http2Backend.bytes(256 * 1024 + i), r.body(), "stream " + i);
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
