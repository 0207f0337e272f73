package hostproxy.containers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import hostproxy.it.support.Backends;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.RecordedRequest;
import hostproxy.it.support.WebSocketEcho;
import hostproxy.it.support.WsClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket tunnels on every container: the JDK's WebSocket client through the proxy to a real
 * WebSocket server (Jetty's) on the backend {@code echo}.
 */
class TunnelCT extends ContainerScenario {
    private static final String ECHO = "echo.proxy.test";
    private static WebSocketEcho echo;

    @BeforeAll
    static void startEcho() throws Exception {
        echo = WebSocketEcho.start("127.0.0.16", Backends.PORT);
    }

    @AfterAll
    static void stopEcho() throws Exception {
        echo.close();
    }

    @BeforeEach
    void resetEcho() {
        echo.reset();
    }

    private static WsClient open(String... subprotocols) throws Exception {
        return WsClient.open(ECHO, ContainerSuite.port(), "/echo", subprotocols);
    }

    @Test
    void textMessagesFromNothingToOneMebibyteComeBackUnchanged() throws Exception {
        assumeTunnels();
        try (WsClient ws = open()) {
            for (int size : new int[] {0, 1, 125, 126, 65_535, 65_536, 1 << 20}) {
                String message = text(size);
                ws.sendText(message);
                assertEquals(message, ws.next(), size + " characters");
            }
        }
    }

    @Test
    void binaryMessagesFromNothingToOneMebibyteComeBackUnchanged() throws Exception {
        assumeTunnels();
        Random random = new Random(10);
        try (WsClient ws = open()) {
            for (int size : new int[] {0, 1, 125, 126, 65_535, 65_536, 1 << 20}) {
                byte[] message = new byte[size];
                random.nextBytes(message);
                ws.sendBinary(message);
                assertArrayEquals(message, (byte[]) ws.next(), size + " bytes");
            }
        }
    }

    @Test
    void aFragmentedMessageArrivesWhole() throws Exception {
        assumeTunnels();
        try (WsClient ws = open()) {
            ws.socket().sendText("frag", false).get(10, TimeUnit.SECONDS);
            ws.socket().sendText("ment", false).get(10, TimeUnit.SECONDS);
            ws.socket().sendText("ed ✓", true).get(10, TimeUnit.SECONDS);
            assertEquals("fragmented ✓", ws.next());
            ws.socket().sendBinary(ByteBuffer.wrap(new byte[] {1, 2}), false).get(10, TimeUnit.SECONDS);
            ws.socket().sendBinary(ByteBuffer.wrap(new byte[] {3}), true).get(10, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) ws.next());
        }
    }

    @Test
    void aPingIsAnsweredWithItsPong() throws Exception {
        assumeTunnels();
        try (WsClient ws = open()) {
            ws.socket().sendPing(ByteBuffer.wrap("are you there".getBytes(UTF_8))).get(10, TimeUnit.SECONDS);
            ByteBuffer pong = ws.nextPong();
            assertNotNull(pong, "a pong came back");
            assertEquals("are you there", UTF_8.decode(pong).toString());
        }
    }

    @Test
    void theClientsCloseCodeAndReasonReachTheBackend() throws Exception {
        assumeTunnels();
        try (WsClient ws = open()) {
            ws.sendText("hello");
            assertEquals("hello", ws.next());
            ws.socket().sendClose(4001, "client says bye").get(10, TimeUnit.SECONDS);
            assertEquals(new WebSocketEcho.Closed(4001, "client says bye"), closeWithCode(4001));
            WsClient.End end = ws.end();
            assertEquals(4001, end.code(), "the backend's answering close: " + end);
        }
    }

    @Test
    void theBackendsCloseCodeAndReasonReachTheClient() throws Exception {
        assumeTunnels();
        try (WsClient ws = open()) {
            ws.sendText("close:4002:server says bye");
            assertEquals(new WsClient.End(4002, "server says bye"), ws.end());
        }
    }

    @Test
    void aBackendThatDiesMidSessionIsAnAbnormalCloseForTheClient() throws Exception {
        assumeTunnels();
        try (WsClient ws = open()) {
            ws.sendText("before");
            assertEquals("before", ws.next());
            ws.sendText("die");
            WsClient.End end = ws.end();
            assertTrue(end.abnormal(), "no close frame, the connection just ends: " + end);
        }
    }

    @Test
    void theSubprotocolAndTheHandshakeFieldsCross() throws Exception {
        assumeTunnels();
        try (WsClient ws = open("chat", "superchat")) {
            assertEquals("chat", ws.socket().getSubprotocol());
            String handshake = echo.nextHandshake(WsClient.BOUND).toLowerCase();
            assertTrue(handshake.contains("sec-websocket-key:"), handshake);
            assertTrue(handshake.contains("sec-websocket-version: 13"), handshake);
            assertTrue(handshake.contains("sec-websocket-protocol: chat, superchat"), handshake);
            assertTrue(handshake.contains("upgrade: websocket"), handshake);
            assertTrue(handshake.contains("x-forwarded-for: 127.0.0.1"), handshake);
            assertTrue(handshake.contains("via: 1.1 hostproxy-"), handshake);
        }
    }

    @Test
    void fiftySessionsAtOnceEachGetTheirOwnEchoes() throws Exception {
        assumeTunnels();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Integer>> sessions = new ArrayList<>();
            for (int s = 0; s < 50; s++) {
                int session = s;
                sessions.add(pool.submit(() -> {
                    int echoed = 0;
                    try (WsClient ws = open()) {
                        for (int m = 0; m < 20; m++) {
                            String message = "session " + session + " message " + m;
                            ws.sendText(message);
                            if (message.equals(ws.next())) {
                                echoed++;
                            }
                        }
                    }
                    return echoed;
                }));
            }
            for (Future<Integer> f : sessions) {
                assertEquals(20, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The handshake as browsers send it, with no Content-Length (the JDK's client too since JDK 19; up
     * to JDK 18 it sent {@code Content-Length: 0}): Jetty had ended such a tunnel's client side before
     * it started, and answered the first frame as an HTTP request.
     */
    @Test
    void aHandshakeWithoutContentLengthTunnelsTheFramesThatFollowIt() throws Exception {
        assumeTunnels();
        try (RawClient c = new RawClient(ContainerSuite.port())) {
            RawResponse r = c.send(handshake("/echo", "HTTP/1.1", ECHO), null).read();
            assertEquals(101, r.status(), r.statusLine());
            for (String message : new String[] {"one", "two"}) {
                byte[] text = message.getBytes(UTF_8);
                byte[] frame = new byte[6 + text.length]; // a final text frame, masked with zeros
                frame[0] = (byte) 0x81;
                frame[1] = (byte) (0x80 | text.length);
                System.arraycopy(text, 0, frame, 6, text.length);
                c.sendRaw(frame);
                byte[] echoed = new byte[2 + text.length];
                echoed[0] = (byte) 0x81;
                echoed[1] = (byte) text.length;
                System.arraycopy(text, 0, echoed, 2, text.length);
                assertArrayEquals(echoed, c.input().readNBytes(echoed.length), message);
            }
        }
    }

    /**
     * A handshake a client pipelines behind a request switches, and the tunnel carries frames. (On
     * Tomcat it is served inside the call that ends the response before it, on a backend I/O thread,
     * and set aside to a container thread, from which the connection still switches.)
     */
    @Test
    void aHandshakePipelinedBehindARequestSwitchesAndTunnels() throws Exception {
        assumeTunnels();
        try (RawClient c = new RawClient(ContainerSuite.port())) {
            c.sendRaw(("GET /first HTTP/1.1\r\nHost: alpha\r\n\r\n"
                    + handshake("/echo", "HTTP/1.1", ECHO).replace("\n", "\r\n") + "\r\n\r\n").getBytes(UTF_8));
            assertEquals(200, c.read().status());
            RawResponse r = c.read();
            assertEquals(101, r.status(), r.statusLine());
            c.sendRaw(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, 'o', 'k'}); // "ok", masked with zeros
            assertArrayEquals(new byte[] {(byte) 0x81, 2, 'o', 'k'}, c.input().readNBytes(4));
        }
    }

    @Test
    void aHandshakeTheBackendRefusesGetsTheBackendsAnswer() throws Exception {
        assumeTunnels();
        RawResponse r = RawClient.exchange(ContainerSuite.port(), handshake("/no-such-endpoint", "HTTP/1.1", ECHO));
        assertEquals(404, r.status(), r.statusLine());
    }

    @Test
    void anUpgradeOverHttp10IsABadRequest() throws Exception {
        RawResponse r = RawClient.exchange(ContainerSuite.port(), handshake("/echo", "HTTP/1.0", ECHO));
        assertEquals(400, r.status());
        assertEquals("Upgrade needs HTTP/1.1, not HTTP/1.0\n", r.text());
        assertNull(echo.nextHandshake(Duration.ofMillis(200)), "nothing reached the backend");
    }

    @Test
    void anUpgradeWithABodyIsABadRequest() throws Exception {
        try (RawClient c = new RawClient(ContainerSuite.port())) {
            c.send(handshake("/echo", "HTTP/1.1", ECHO) + "\nContent-Length: 5", "hello".getBytes(UTF_8));
            RawResponse r = c.read();
            assertEquals(400, r.status());
            assertEquals("an Upgrade request may not carry a body\n", r.text());
        }
        assertNull(echo.nextHandshake(Duration.ofMillis(200)), "nothing reached the backend");
    }

    @Test
    void anotherUpgradeTokenIsDroppedAndTheRequestRelayedAsAPlainOne() throws Exception {
        RawResponse r = RawClient.exchange(ContainerSuite.port(),
                "GET /plain HTTP/1.1\nHost: alpha\nConnection: Upgrade\nUpgrade: foo/2\nConnection: close");
        assertEquals(200, r.status());
        RecordedRequest seen = backends.alpha.takeRequest();
        assertNull(seen.header("Upgrade"));
        String connection = seen.header("Connection");
        assertTrue(connection == null || !connection.toLowerCase().contains("upgrade"), connection);
    }

    @Test
    void aTunnelToAnHttpsBackendIsABadGatewaySayingSo() throws Exception {
        assumeTunnels();
        RawResponse r = RawClient.exchange(ContainerSuite.port(), handshake("/echo", "HTTP/1.1", "tlsecho.proxy.test"));
        assertEquals(502, r.status());
        assertEquals("backend echo is reached over https: hostproxy tunnels upgrades (WebSocket) to http backends only\n",
                r.text());
    }

    @Test
    void aBackendThatRefusesTheConnectionIsABadGateway() throws Exception {
        assumeTunnels();
        RawResponse r = RawClient.exchange(ContainerSuite.port(), handshake("/echo", "HTTP/1.1", "refused.proxy.test"));
        assertEquals(502, r.status());
        assertEquals("backend refused refused the connection\n", r.text());
    }

    /** The first close with this code the backend saw (an earlier test's session may still be closing). */
    private static WebSocketEcho.Closed closeWithCode(int code) throws InterruptedException {
        long deadline = System.nanoTime() + WsClient.BOUND.toNanos();
        for (int i = 0; i < 100 && System.nanoTime() < deadline; i++) {
            WebSocketEcho.Closed c = echo.nextClose(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (c == null || c.code() == code) {
                return c;
            }
        }
        return null;
    }

    /**
     * WildFly refuses tunnels with 501 (see docs/how-it-works.md, "WebSockets and other upgrades"):
     * the scenarios that need one are skipped there.
     */
    private static void assumeTunnels() {
        assumeFalse(ContainerSuite.container() == ContainerSuite.Container.WILDFLY,
                "Undertow ends an upgraded connection's input after the first read: hostproxy refuses tunnels there");
    }

    @Test
    void onWildFlyAnUpgradeIsRefusedWith501AndNothingReachesTheBackend() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ContainerSuite.container() == ContainerSuite.Container.WILDFLY);
        RawResponse r = RawClient.exchange(ContainerSuite.port(), handshake("/echo", "HTTP/1.1", ECHO));
        assertEquals(501, r.status());
        assertEquals("Upgrade (WebSocket) tunnels do not work on WildFly/Undertow yet\n", r.text());
        assertNull(echo.nextHandshake(Duration.ofMillis(200)), "nothing reached the backend");
    }

    static String handshake(String path, String version, String host) {
        return "GET " + path + " " + version + "\nHost: " + host + "\nConnection: Upgrade\nUpgrade: websocket"
                + "\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
    }

    private static String text(int size) {
        StringBuilder b = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
            b.append((char) ('a' + i % 26));
        }
        return b.toString();
    }
}
