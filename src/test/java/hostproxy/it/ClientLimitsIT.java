package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.Reply;
import hostproxy.it.support.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 9's limits, now that no thread is held per exchange: {@code clientIdleTimeout} cuts off a
 * client that stalls its upload or stops reading, and {@code maxExchanges} bounds how many
 * exchanges are open at once. A proxy with a 1 s idle timeout and at most 3 exchanges.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientLimitsIT {
    private Backends backends;
    private ProxyServer proxy;

    @BeforeAll
    void start() throws Exception {
        backends = Backends.start();
        proxy = ProxyServer.start(Map.of("backendPort", Integer.toString(Backends.PORT), "clientIdleTimeout", "1s",
                "maxExchanges", "3"));
        proxy.dns().set("alpha", "127.0.0.11");
        proxy.dns().set("beta", "127.0.0.12");
    }

    @AfterAll
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (backends != null) {
            backends.close();
        }
    }

    @BeforeEach
    void reset() {
        backends.reset();
    }

    @Test
    void aStalledUploadGets408AndTheBackendNeverSeesItComplete() throws Exception {
        // A backend of its own: no other test leaves an idle pooled connection to it, so "no
        // connection open" means the one that carried this upload was dropped.
        try (TestBackend stalled = TestBackend.start("stalled", "127.0.0.14", Backends.PORT)) {
            proxy.dns().set("stalled", "127.0.0.14");
            try (RawClient c = new RawClient(proxy.port())) {
                c.send("POST /up HTTP/1.1\nHost: stalled\nContent-Length: 1000", "x".repeat(100).getBytes(StandardCharsets.US_ASCII));
                long start = System.nanoTime();
                RawResponse r = c.read();
                long waited = System.nanoTime() - start;
                assertEquals(408, r.status(), r.statusLine() + " " + r.text());
                assertEquals("the request body did not arrive in time\n", r.text());
                assertEquals("close", r.header("Connection"));
                assertTrue(waited > TimeUnit.MILLISECONDS.toNanos(800) && waited < TimeUnit.SECONDS.toNanos(5),
                        "cut off after about 1 s: " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms");
            }
            Await.until(() -> stalled.openConnections() == 0, Duration.ofSeconds(5),
                    "the backend's connection is dropped mid-body");
            // The backend records what arrived of a body cut off (nothing when the connection was reset):
            // never the whole declared 1,000 bytes.
            assertTrue(stalled.requestCount() == 0 || stalled.takeRequest().body().length < 1000,
                    "the backend got the body complete");
        }
    }

    @Test
    void aClientThatStopsReadingIsCutOffAndItsBackendConnectionDropped() throws Exception {
        backends.beta.handle(req -> Reply.endlessChunked());
        try (RawClient c = new RawClient(proxy.port())) {
            c.send("GET /endless HTTP/1.1\nHost: beta", null);
            InputStream in = c.input();
            assertEquals(1024, in.readNBytes(1024).length, "the download started");
            // then this client reads nothing: the proxy's buffers and the sockets' fill up
            Await.until(() -> backends.beta.openConnections() == 0, Duration.ofSeconds(15),
                    "the backend's connection is dropped once the client stalled for clientIdleTimeout");
            byte[] tail = c.readTail(Duration.ofSeconds(10));
            assertTrue(tail != null, "the proxy closed the client's connection");
            assertFalse(new String(tail, StandardCharsets.US_ASCII).endsWith("\r\n0\r\n\r\n"),
                    "the cut-off download must not end with a last chunk");
        }
    }

    @Test
    void beyondMaxExchangesA503WithRetryAfterAndNoQueue() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        backends.gamma.handle(req -> Reply.head("HTTP/1.1 200 OK\nContent-Type: text/event-stream\nTransfer-Encoding: chunked",
                (out, socket) -> {
                    out.write("9\r\ndata: 1\n\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return false;
                }));
        proxy.dns().set("gamma", "127.0.0.13");
        List<RawClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawClient c = new RawClient(proxy.port());
                streams.add(c);
                c.send("GET /events HTTP/1.1\nHost: gamma", null);
                String status = c.readLine();
                assertTrue(status != null && status.startsWith("HTTP/1.1 200"), "stream " + i + " is open: " + status);
            }
            long start = System.nanoTime();
            RawResponse refused = RawClient.exchange(proxy.port(), "GET /x HTTP/1.1\nHost: alpha\nConnection: close");
            assertEquals(503, refused.status(), refused.statusLine() + " " + refused.text());
            assertEquals("1", refused.header("Retry-After"));
            assertTrue(refused.text().startsWith("too many exchanges in progress"), refused.text());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "refused at once, not queued");
        } finally {
            release.countDown();
            for (RawClient c : streams) {
                c.close();
            }
        }
        Await.until(() -> {
            try {
                return RawClient.exchange(proxy.port(), "GET /x HTTP/1.1\nHost: alpha\nConnection: close").status() == 200;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(10), "a request is served again once the streams ended");
    }
}
