package hostproxy.containers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.RecordedRequest;
import hostproxy.it.support.Reply;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 clients (h2c here; the same as over TLS for the proxy), with the JDK's own client: the
 * first request upgrades the connection, every later one is an HTTP/2 stream whose authority comes
 * in {@code :authority}, not in a Host header (RFC 9113 §8.3.1). The tests' hosts file names the
 * proxy {@code alpha.proxy.test}, so the authority's first label picks backend {@code alpha}.
 */
@RunAsClient
class Http2CT extends ContainerScenario {
    private HttpClient client;

    @BeforeEach
    void upgradeToHttp2() throws Exception {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> first = client.send(get("/upgrade"), BodyHandlers.ofString());
        assertEquals(200, first.statusCode(), first.body());
        backends.alpha.takeRequest();
    }

    private static URI uri(String pathAndQuery) {
        return URI.create("http://alpha.proxy.test:" + ContainerSuite.port() + pathAndQuery);
    }

    private static HttpRequest get(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20)).build();
    }

    private <T> HttpResponse<T> sendOverHttp2(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws Exception {
        HttpResponse<T> r = client.send(request, handler);
        assertEquals(HttpClient.Version.HTTP_2, r.version(), "the request did not go over HTTP/2");
        return r;
    }

    @Test
    void aGetIsRoutedByItsAuthorityAndArrivesByteForByte() throws Exception {
        HttpResponse<String> r = sendOverHttp2(get("/h2/a-b?x=1&y=a%20b&x="), BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        RecordedRequest got = backends.alpha.takeRequest();
        assertEquals("GET", got.method());
        assertEquals("/h2/a-b?x=1&y=a%20b&x=", got.target());
        assertEquals("HTTP/1.1", got.version());
        assertEquals("alpha.proxy.test:" + ContainerSuite.port(), got.header("Host"));
        assertEquals("alpha.proxy.test:" + ContainerSuite.port(), got.header("X-Forwarded-Host"));
        assertTrue(got.header("Via").startsWith("2 hostproxy-"), got.header("Via"));
        assertEquals(0, got.body().length);
        assertNull(got.header("Transfer-Encoding"), "a request without body got one");
        assertNull(got.header("Content-Length"));
    }

    @Test
    void aPostWithContentLengthArrivesByteForByte() throws Exception {
        byte[] body = randomBytes(200_000, 1);
        HttpResponse<String> r = sendOverHttp2(HttpRequest.newBuilder(uri("/post")).POST(BodyPublishers.ofByteArray(body))
                .build(), BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        RecordedRequest got = backends.alpha.takeRequest();
        assertArrayEquals(body, got.body());
        assertEquals(Integer.toString(body.length), got.header("Content-Length"));
    }

    @Test
    void aPostWithoutContentLengthArrivesByteForByteChunked() throws Exception {
        byte[] body = randomBytes(300_000, 2);
        HttpRequest request = HttpRequest.newBuilder(uri("/post-unknown-length"))
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
        HttpResponse<String> r = sendOverHttp2(request, BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        RecordedRequest got = backends.alpha.takeRequest();
        assertEquals("POST", got.method());
        assertArrayEquals(body, got.body(), "the body was lost or changed on its way");
        assertTrue(got.chunked() || got.header("Content-Length") != null);
    }

    @Test
    void aLargeDownloadArrivesWhole() throws Exception {
        byte[] big = randomBytes(8 * 1024 * 1024, 3);
        backends.alpha.handle(req -> Reply.raw(200, big, "Content-Type: application/octet-stream"));
        HttpResponse<byte[]> r = sendOverHttp2(get("/big"), BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(big.length, r.body().length, "the body's length");
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(big),
                MessageDigest.getInstance("SHA-256").digest(r.body()));
    }

    @Test
    void manyStreamsOnOneConnectionEachGetTheirOwnAnswer() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            pending.add(client.sendAsync(get("/stream-" + i + "?n=" + i), BodyHandlers.ofString()));
        }
        for (int i = 0; i < pending.size(); i++) {
            HttpResponse<String> r = pending.get(i).get(30, TimeUnit.SECONDS);
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("target=/stream-" + i + "?n=" + i + "\n"), r.body());
        }
    }

    @Test
    void anUnknownAuthorityIsAnsweredOverHttp2() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + ContainerSuite.port() + "/x")).build();
        HttpResponse<String> r = client.send(request, BodyHandlers.ofString(UTF_8));
        assertEquals(404, r.statusCode(), r.body());
        assertFalse(r.body().isEmpty());
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
