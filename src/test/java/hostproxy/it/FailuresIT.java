package hostproxy.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Issue point 5 over real sockets: every failure is a clear status, never a hang or a cut that looks complete. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailuresIT {
    private Backends backends;
    private ProxyServer proxy;

    @BeforeAll
    void start() throws Exception {
        backends = Backends.start();
        proxy = ProxyServer.start(Map.of(
                "backendPort", Integer.toString(Backends.PORT),
                "connectTimeout", "500ms",
                "responseTimeout", "1s",
                "maxConnectionsPerBackend", "10",
                "maxConnections", "20"));
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        backends.close();
    }

    @BeforeEach
    void reset() {
        backends.reset();
        proxy.log().clear();
    }

    private RawResponse get(String host) throws IOException {
        return RawClient.exchange(proxy.port(), "GET /f HTTP/1.1\nHost: " + host + "\nConnection: close");
    }

    private List<String> warnings() {
        return proxy.log().messages(Level.WARNING).stream().filter(m -> m.startsWith("hostproxy")).toList();
    }

    @Test
    void aNameThatDoesNotResolveIsABadGatewayNamingIt() throws IOException {
        RawResponse r = get("nosuchservice.example.com");
        assertEquals(502, r.status());
        assertEquals("no backend named nosuchservice\n", r.text());
        assertEquals("text/plain;charset=UTF-8", r.header("Content-Type"));
        // the client's input, not a backend fault: logged at FINE so that a scan cannot flood the log
        assertEquals(List.of(), warnings());
        assertTrue(proxy.log().messages(Level.FINE).stream().anyMatch(m -> m.contains("no backend named nosuchservice")));
    }

    @Test
    void aRefusedConnectionIsABadGateway() throws IOException {
        RawResponse r = get("refused");
        assertEquals(502, r.status());
        assertEquals("backend refused refused the connection\n", r.text());
        assertEquals(1, warnings().size(), warnings().toString());
        assertTrue(warnings().get(0).contains("refused") && warnings().get(0).contains("ConnectException"),
                warnings().toString());
    }

    @Test
    void aConnectTimeoutIsAGatewayTimeout() throws Exception {
        // A listener that never accepts: once its backlog is full, the kernel drops further SYNs.
        try (ServerSocket blackhole = new ServerSocket()) {
            blackhole.bind(new InetSocketAddress("127.0.0.15", Backends.PORT), 1);
            List<Socket> fillers = fillBacklog("127.0.0.15");
            try {
                long start = System.nanoTime();
                RawResponse r = get("blackhole");
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(504, r.status());
                assertEquals("backend blackhole did not accept a connection in time\n", r.text());
                assertTrue(ms >= 400 && ms < 5_000, "answered after " + ms + " ms with connectTimeout=500ms");
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    private static List<Socket> fillBacklog(String address) {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(address, Backends.PORT), 200);
                sockets.add(s);
            } catch (IOException full) {
                closeQuietly(s);
                return sockets; // the backlog is full: the next connect will time out
            }
        }
        return sockets;
    }

    @Test
    void aSilentBackendIsAGatewayTimeout() throws IOException {
        backends.alpha.handle(req -> (out, socket) -> {
            sleep(3_000); // longer than responseTimeout=1s
            return false;
        });
        RawResponse r = get("alpha");
        assertEquals(504, r.status());
        assertEquals("backend alpha did not respond in time\n", r.text());
    }

    @Test
    void aBackendDyingMidBodyWithContentLengthLeavesTheClientAnIncompleteResponse() throws IOException {
        backends.alpha.handle(req -> Reply.head("HTTP/1.1 200 OK\nContent-Length: 100000", (out, socket) -> {
            out.write(new byte[40_000]);
            out.flush();
            return false; // closes the connection 60,000 bytes short
        }));
        RawResponse r = get("alpha");
        assertEquals(200, r.status());
        assertFalse(r.complete(), "a truncated body must not look complete (got " + r.body().length + " bytes)");
        assertTrue(r.body().length < 100_000);
        assertEquals(1, warnings().size(), warnings().toString());
        assertTrue(warnings().get(0).contains("broke off"), warnings().toString());
    }

    @Test
    void aBackendDyingMidChunkedBodyLeavesTheClientWithoutTheLastChunk() throws IOException {
        backends.alpha.handle(req -> Reply.head("HTTP/1.1 200 OK\nTransfer-Encoding: chunked", (out, socket) -> {
            out.write("5\r\nhello\r\n".getBytes(UTF_8));
            out.flush();
            return false; // no last chunk
        }));
        RawResponse r = get("alpha");
        assertEquals(200, r.status());
        assertFalse(r.complete(), "the response must not end with a last chunk");
    }

    @Test
    void aBackendDyingBeforeAnyByteOfItsResponseIsABadGateway() throws IOException {
        backends.alpha.handle(req -> (out, socket) -> false);
        RawResponse r = get("alpha");
        assertEquals(502, r.status());
        assertEquals("backend alpha closed the connection without a response\n", r.text());
    }

    @Test
    void clientsThatDisconnectMidDownloadReleaseTheirBackendConnections() throws Exception {
        // An endless body: only the client's disconnect can end each exchange.
        backends.beta.handle(req -> Reply.head("HTTP/1.1 200 OK\nTransfer-Encoding: chunked", (out, socket) -> {
            byte[] chunk = ("4000\r\n" + "x".repeat(0x4000) + "\r\n").getBytes(UTF_8);
            for (int i = 0; i < 100_000; i++) {
                out.write(chunk);
            }
            return false;
        }));
        for (int i = 0; i < 200; i++) {
            try (RawClient c = new RawClient(proxy.port())) {
                c.send("GET /endless HTTP/1.1\nHost: beta", null);
                InputStream in = c.input();
                assertTrue(in.readNBytes(1024).length == 1024, "download " + i + " started");
            }
        }
        // The pool holds 10 connections per backend: each aborted download must have given its own back.
        Await.until(() -> backends.beta.openConnections() == 0, Duration.ofSeconds(10),
                "the backend sees every connection of an aborted download closed");
        backends.beta.reset();
        long start = System.nanoTime();
        RawResponse r = get("beta");
        assertEquals(200, r.status());
        assertTrue(System.nanoTime() - start < 400_000_000L, "a normal request is served at once");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
