package hostproxy.it;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.AdminServers;
import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.WebSocketEcho;
import hostproxy.it.support.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * Tunnels where the test needs the proxy's settings, log or lifecycle: limits, idle timeout,
 * back-pressure, backends that switch protocols wrongly, and undeploy (in the test JVM's Tomcat 11).
 */
class TunnelIT {
    private static final String ECHO_ADDRESS = "127.0.0.16";
    private static final String ECHO = "echo.proxy.test";
    private static final Duration BOUND = Duration.ofSeconds(10);

    private static ProxyServer proxy(String... settings) throws Exception {
        Map<String, String> s = new java.util.HashMap<>();
        s.put("backendPort", Integer.toString(Backends.PORT));
        for (int i = 0; i < settings.length; i += 2) {
            s.put(settings[i], settings[i + 1]);
        }
        return ProxyServer.start(s);
    }

    private static String handshake(String host) {
        return "GET /echo HTTP/1.1\nHost: " + host + "\nConnection: Upgrade\nUpgrade: websocket"
                + "\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
    }

    @Test
    void atMostMaxTunnelsAreOpenAtOnceAndAFurtherHandshakeGets503() throws Exception {
        try (WebSocketEcho echo = WebSocketEcho.start(ECHO_ADDRESS, Backends.PORT);
             ProxyServer proxy = proxy("maxTunnels", "2")) {
            WsClient first = WsClient.open(ECHO, proxy.port(), "/echo");
            try (WsClient second = WsClient.open(ECHO, proxy.port(), "/echo")) {
                RawResponse third = RawClient.exchange(proxy.port(), handshake(ECHO));
                assertEquals(503, third.status());
                assertEquals("too many open tunnels (maxTunnels=2)\n", third.text());
                first.socket().sendClose(1000, "done");
                assertEquals(1000, first.end().code());
                Await.until(() -> opens(proxy.port()), BOUND, "a slot is free again once a tunnel closed");
            } finally {
                first.close();
            }
        }
    }

    @Test
    void closedTunnelsLeaveNoConnectionWaitingInTomcat() throws Exception {
        // The relay closes a tunnel from its own thread, while one of Tomcat's may be handling the
        // client's last bytes (its close frame). Closing Tomcat's socket from there left that
        // connection among those Tomcat waits on, for good: about one session in a hundred.
        try (WebSocketEcho echo = WebSocketEcho.start(ECHO_ADDRESS, Backends.PORT);
             ProxyServer proxy = proxy()) {
            ExecutorService clients = Executors.newFixedThreadPool(16);
            try {
                List<Future<Integer>> runs = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    runs.add(clients.submit(() -> {
                        int closed = 0;
                        for (int i = 0; i < 100; i++) {
                            try (WsClient ws = WsClient.open(ECHO, proxy.port(), "/echo")) {
                                ws.sendText("m" + i);
                                assertEquals("m" + i, ws.next());
                                ws.socket().sendClose(1000, "done");
                                assertEquals(1000, ws.end().code());
                                closed++;
                            }
                        }
                        return closed;
                    }));
                }
                int closed = 0;
                for (Future<Integer> run : runs) {
                    closed += run.get(120, TimeUnit.SECONDS);
                }
                assertEquals(1600, closed);
            } finally {
                clients.shutdownNow();
            }
            Await.until(() -> proxy.waitingProcessors() == 0, BOUND,
                    "every closed session's connection leaves Tomcat's waiting processors");
        }
    }

    private static boolean opens(int port) {
        try (WsClient ws = WsClient.open(ECHO, port, "/echo")) {
            ws.sendText("x");
            return "x".equals(ws.next());
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void openTunnelsAndTheirBytesAreMetrics() throws Exception {
        try (WebSocketEcho echo = WebSocketEcho.start(ECHO_ADDRESS, Backends.PORT);
             AdminServers.Started started = AdminServers.start(Map.of("backendPort", Integer.toString(Backends.PORT)))) {
            WsClient ws = WsClient.open(ECHO, started.proxy().port(), "/echo");
            try {
                ws.sendText("hello");
                assertEquals("hello", ws.next());
                String metrics = scrape(started.adminPort());
                assertTrue(metrics.contains("hostproxy_tunnels_open 1"), metrics);
                assertTrue(metrics.contains(
                        "hostproxy_requests_total{backend=\"echo\",method=\"GET\",status_class=\"1xx\"} 1.0"),
                        "the handshake is counted under its backend: " + metrics);
                assertTrue(!metrics.contains("hostproxy_tunnel_bytes_total{direction=\"to_backend\"} 0"), metrics);
                assertTrue(!metrics.contains("hostproxy_tunnel_bytes_total{direction=\"to_client\"} 0"), metrics);
                ws.socket().sendClose(1000, "done");
                ws.end();
                Await.until(() -> scrape(started.adminPort()).contains("hostproxy_tunnels_open 0"), BOUND,
                        "the closed tunnel is no longer counted");
            } finally {
                ws.close();
            }
        }
    }

    private static String scrape(int adminPort) {
        try {
            return RawClient.exchange(adminPort, "GET /metrics HTTP/1.1\nHost: admin\nConnection: close").text();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void anIdleTunnelIsClosedAfterUpgradeIdleTimeout() throws Exception {
        try (WebSocketEcho echo = WebSocketEcho.start(ECHO_ADDRESS, Backends.PORT);
             ProxyServer proxy = proxy("upgradeIdleTimeout", "1s");
             WsClient ws = WsClient.open(ECHO, proxy.port(), "/echo")) {
            // The idle time counts from the tunnel's last read, the echo's: later than this, but
            // earlier than the client gets the echo (on a busy machine, 100 ms and more earlier).
            // Measured from here, the close can come no sooner than the timeout.
            long quietSince = System.nanoTime();
            ws.sendText("still here");
            assertEquals("still here", ws.next());
            WsClient.End end = ws.end();
            long quietFor = Duration.ofNanos(System.nanoTime() - quietSince).toMillis();
            assertTrue(end.abnormal(), "closed under the session, without a close frame: " + end);
            assertTrue(quietFor >= 1000, "not before the timeout: " + quietFor + " ms");
        }
    }

    @Test
    void aBackendAnswering101ToAPlainRequestIsABadGatewayAndNothingIsTunnelled() throws Exception {
        try (RawBackend backend = new RawBackend("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n\r\n\u0081\u0005hello");
             ProxyServer proxy = proxy()) {
            RawResponse r = RawClient.exchange(proxy.port(), "GET /plain HTTP/1.1\nHost: " + ECHO + "\nConnection: close");
            assertEquals(502, r.status(), r.statusLine());
            assertTrue(r.text().startsWith("backend echo "), r.text());
        }
    }

    @Test
    void aBackendSwitchingToAProtocolNotAskedForIsABadGateway() throws Exception {
        try (RawBackend backend = new RawBackend("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n"
                + "Connection: Upgrade\r\n\r\n");
             ProxyServer proxy = proxy()) {
            RawResponse r = RawClient.exchange(proxy.port(), handshake(ECHO));
            assertEquals(502, r.status());
            assertEquals("backend echo switched to a protocol the client did not ask for: h2c\n", r.text());
        }
    }

    @Test
    void aBackendThatStopsReadingStopsTheClientToo() throws Exception {
        try (RawBackend backend = new RawBackend("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n\r\n");
             ProxyServer proxy = proxy();
             Socket client = new Socket("127.0.0.1", proxy.port())) {
            OutputStream out = client.getOutputStream();
            out.write((handshake(ECHO).replace("\n", "\r\n") + "\r\n\r\n").getBytes(ISO_8859_1));
            out.flush();
            assertTrue(readHead(client.getInputStream()).startsWith("HTTP/1.1 101"));
            AtomicLong written = new AtomicLong();
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int i = 0; i < 4096; i++) { // 256 MiB at most
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException closed) {
                    // the test ends
                }
            });
            writer.setDaemon(true);
            writer.start();
            long stalled = stalledAt(written);
            assertTrue(stalled < 64L << 20, "the client is held back once buffers are full, not after "
                    + (stalled >> 20) + " MiB");
        }
    }

    @Test
    void aClientThatStopsReadingStopsTheBackendToo() throws Exception {
        AtomicLong written = new AtomicLong();
        try (RawBackend backend = new RawBackend("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n\r\n", written);
             ProxyServer proxy = proxy();
             Socket client = new Socket("127.0.0.1", proxy.port())) {
            client.setReceiveBufferSize(64 * 1024);
            OutputStream out = client.getOutputStream();
            out.write((handshake(ECHO).replace("\n", "\r\n") + "\r\n\r\n").getBytes(ISO_8859_1));
            out.flush();
            assertTrue(readHead(client.getInputStream()).startsWith("HTTP/1.1 101"));
            long stalled = stalledAt(written);
            assertTrue(stalled < 64L << 20, "the backend is held back once buffers are full, not after "
                    + (stalled >> 20) + " MiB");
        }
    }

    /** Waits (bounded) until the count stops growing for a second, and returns it. */
    private static long stalledAt(AtomicLong count) throws InterruptedException {
        long before = -1;
        for (int i = 0; i < 20; i++) {
            Thread.sleep(1000);
            long now = count.get();
            if (now == before && now > 0) {
                return now;
            }
            before = now;
        }
        throw new AssertionError("still growing after 20 s: " + count.get() + " bytes");
    }

    /**
     * The JDK's WebSocket clients must see their sessions end; a raw socket beside them shows, at
     * the TCP level, whether the proxy closed its connection at all, so that a client that misses
     * its end says which side is at fault (with the proxy port's sockets as the system sees them).
     */
    @Test
    void anUndeployClosesEveryTunnelAndLeavesNoThreadBehind() throws Exception {
        try (WebSocketEcho echo = WebSocketEcho.start(ECHO_ADDRESS, Backends.PORT);
             ProxyServer proxy = proxy();
             Socket raw = new Socket("127.0.0.1", proxy.port())) {
            List<WsClient> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    WsClient ws = WsClient.open(ECHO, proxy.port(), "/echo");
                    ws.sendText("hi " + i);
                    assertEquals("hi " + i, ws.next());
                    sessions.add(ws);
                }
                raw.getOutputStream().write((handshake(ECHO).replace("\n", "\r\n") + "\r\n\r\n").getBytes(ISO_8859_1));
                assertTrue(readHead(raw.getInputStream()).startsWith("HTTP/1.1 101"));
                proxy.log().clear();

                long undeployed = System.nanoTime();
                proxy.undeploy();

                raw.setSoTimeout((int) BOUND.toMillis());
                assertEquals(-1, raw.getInputStream().read(), "the proxy closes the raw session's connection");
                long rawClosedMs = (System.nanoTime() - undeployed) / 1_000_000;
                for (int i = 0; i < sessions.size(); i++) {
                    try {
                        assertNotNull(sessions.get(i).end(), "every client sees its session end");
                    } catch (java.util.concurrent.TimeoutException e) {
                        throw new AssertionError("JDK WebSocket client " + i + " saw no end within " + BOUND
                                + " although the raw session's connection was closed " + rawClosedMs
                                + " ms after the undeploy; sockets of the proxy port:\n" + sockets(proxy.port())
                                + "\nproxy log:\n" + String.join("\n", proxy.log().messages(Level.FINE)), e);
                    }
                }
                List<String> leaks = proxy.log().messages(Level.WARNING).stream()
                        .filter(m -> m.startsWith("org.apache.catalina.loader")).toList();
                assertEquals(List.of(), leaks, "Tomcat's leak detection reports nothing");
                assertEquals(List.of(), proxy.log().messages(Level.WARNING).stream()
                        .filter(m -> m.startsWith("hostproxy.tunnel")).toList(), "every client close succeeded");
                Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().startsWith("hostproxy")), BOUND,
                        "no thread of hostproxy's is left");
            } finally {
                sessions.forEach(WsClient::close);
            }
        }
    }

    /** The system's view of the TCP connections on a port ({@code ss}), for a failure's message. */
    private static String sockets(int port) {
        try {
            Process ss = new ProcessBuilder("ss", "-tanoi").redirectErrorStream(true).start();
            String all = new String(ss.getInputStream().readAllBytes(), ISO_8859_1);
            ss.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            return String.join("\n", all.lines().filter(l -> l.contains(":" + port + " ")).toList());
        } catch (IOException | InterruptedException e) {
            return "(ss failed: " + e + ")";
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n") && head.length() < 8192) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        return head.toString();
    }

    /**
     * A backend on the echo address that answers every connection's request head with the given
     * bytes, then reads nothing more; with a counter, it then writes to the connection for as long
     * as it can, counting what the socket took. Once {@link #close()} returns, nothing listens on the
     * address and no connection it accepted is open (as {@code TestBackend}: a thread blocked in
     * accept() keeps the listening socket alive until it wakes, and may accept one more connection).
     */
    private static final class RawBackend implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final Thread acceptor;
        private final List<Socket> accepted = new ArrayList<>(); // guarded by this
        private boolean closed; // guarded by this

        RawBackend(String answer) throws IOException {
            this(answer, null);
        }

        RawBackend(String answer, AtomicLong written) throws IOException {
            server.bind(new InetSocketAddress(ECHO_ADDRESS, Backends.PORT));
            acceptor = new Thread(() -> {
                try {
                    while (!server.isClosed()) {
                        Socket s = server.accept();
                        if (!keep(s)) { // accepted while closing: a closed backend serves nothing
                            s.close();
                            return;
                        }
                        s.setReceiveBufferSize(64 * 1024);
                        readHead(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        out.write(answer.getBytes(ISO_8859_1));
                        out.flush();
                        if (written != null) {
                            byte[] chunk = new byte[64 * 1024];
                            for (int i = 0; i < 4096; i++) { // 256 MiB at most
                                out.write(chunk);
                                written.addAndGet(chunk.length);
                            }
                        }
                    }
                } catch (IOException stopped) {
                    // closed
                }
            }, "test-raw-backend");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        /** Keeps a connection to be closed with the backend, unless it is closing already. */
        private synchronized boolean keep(Socket s) {
            if (closed) {
                return false;
            }
            accepted.add(s);
            return true;
        }

        @Override
        public void close() throws Exception {
            synchronized (this) {
                closed = true;
                server.close();
                for (Socket s : accepted) {
                    s.close(); // wakes the acceptor if it reads or writes there
                }
            }
            acceptor.join(BOUND.toMillis());
            if (acceptor.isAlive()) {
                throw new IOException("the raw backend's accepting thread did not stop within " + BOUND);
            }
        }
    }
}
