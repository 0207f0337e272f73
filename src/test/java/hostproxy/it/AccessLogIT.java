package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.RecordedRequest;
import hostproxy.it.support.WebSocketEcho;
import hostproxy.it.support.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.catalina.valves.AccessLogValve;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Request ids and the access-log attributes, with Tomcat's own AccessLogValve set up with the
 * pattern of {@code conf/tomcat/access-log.xml}; a WebSocket handshake is logged as a request is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessLogIT {
    private static final Pattern GENERATED = Pattern.compile("[0-9a-f]{32}");
    private static final String ECHO_ADDRESS = "127.0.0.16";
    private Backends backends;
    private ProxyServer proxy;
    private Path logs;

    @BeforeAll
    void start() throws Exception {
        backends = Backends.start();
        // beta (127.0.0.12) is outside backendNetworks: refused, as an address_not_allowed; the
        // WebSocket echo (.16) and two addresses where nothing listens (.14, .24) are inside
        proxy = ProxyServer.start(Map.of("backendPort", Integer.toString(Backends.PORT),
                "backendNetworks", "127.0.0.11, 127.0.0.14, 127.0.0.16, 127.0.0.24"));
        logs = Files.createTempDirectory("hostproxy-access");
        AccessLogValve valve = new AccessLogValve();
        valve.setDirectory(logs.toString());
        valve.setPrefix("access");
        valve.setSuffix(".log");
        valve.setRotatable(false);
        valve.setBuffered(false);
        valve.setPattern(patternOfTheConfFile());
        proxy.host().getPipeline().addValve(valve);
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        backends.close();
    }

    private static String patternOfTheConfFile() throws Exception {
        String xml = Files.readString(Path.of("conf/tomcat/access-log.xml"));
        Matcher m = Pattern.compile("pattern=\"([^\"]*)\"").matcher(xml);
        assertTrue(m.find(), "conf/tomcat/access-log.xml has a pattern");
        return m.group(1).replace("&quot;", "\"");
    }

    private String logLineWith(String marker) throws Exception {
        Path file = logs.resolve("access.log");
        String[] found = new String[1];
        Await.until(() -> {
            try {
                found[0] = Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> l.contains(marker))
                        .findFirst().orElse(null) : null;
            } catch (java.io.IOException e) {
                found[0] = null;
            }
            return found[0] != null;
        }, Duration.ofSeconds(5), "an access-log line with " + marker);
        return found[0];
    }

    @Test
    void aWellFormedRequestIdIsPassedOnAndLogged() throws Exception {
        backends.reset();
        long sent = System.nanoTime();
        RawResponse r = RawClient.exchange(proxy.port(),
                "GET /with-id HTTP/1.1\nHost: alpha\nX-Request-Id: 3f2c-abc.7\nConnection: close");
        long tookMillis = (System.nanoTime() - sent) / 1_000_000;
        assertEquals(200, r.status());
        RecordedRequest got = backends.alpha.takeRequest();
        assertEquals(List.of("3f2c-abc.7"), got.headers("X-Request-Id"));
        String line = logLineWith("/with-id");
        assertTrue(line.contains("id=3f2c-abc.7 backend=alpha address=127.0.0.11 upstream="), line);
        assertTrue(line.matches(".* upstream=\\d+ms retries=0 error=- grpc=-$"), line);
        java.util.regex.Matcher total = java.util.regex.Pattern.compile(" 200 \\S+ (\\d+)ms id=").matcher(line);
        assertTrue(total.find(), line);
        assertTrue(Long.parseLong(total.group(1)) <= tookMillis + 1,
                "the request's time is in milliseconds, at most the " + tookMillis + " ms the client waited: " + line);
    }

    @Test
    void aMissingOrMalformedRequestIdIsReplacedByANewOne() throws Exception {
        for (String given : List.of("", "X-Request-Id: has spaces in it\n", "X-Request-Id: " + "a".repeat(200) + "\n")) {
            backends.reset();
            RawClient.exchange(proxy.port(), "GET /new-id HTTP/1.1\nHost: alpha\n" + given + "Connection: close");
            List<String> ids = backends.alpha.takeRequest().headers("X-Request-Id");
            assertEquals(1, ids.size(), ids.toString());
            assertTrue(GENERATED.matcher(ids.get(0)).matches(), ids.get(0));
        }
    }

    @Test
    void theProxysOwnErrorResponseCarriesTheRequestIdAndSoDoesTheLog() throws Exception {
        RawResponse r = RawClient.exchange(proxy.port(),
                "GET /err HTTP/1.1\nHost: nosuch-logged\nX-Request-Id: err-42\nConnection: close");
        assertEquals(502, r.status());
        assertEquals("err-42", r.header("X-Request-Id"));
        String line = logLineWith("/err");
        assertTrue(line.contains("id=err-42 backend=- address=- upstream=-ms retries=0 error=no_such_backend"), line);
        RawResponse generated = RawClient.exchange(proxy.port(), "GET /err2 HTTP/1.1\nHost: nosuch-logged\nConnection: close");
        assertTrue(GENERATED.matcher(generated.header("X-Request-Id")).matches(), generated.header("X-Request-Id"));
        assertNotEquals("err-42", generated.header("X-Request-Id"));
    }

    /**
     * A gRPC call hostproxy cannot relay gets gRPC's answer (GrpcCT tries it with grpc-java over
     * HTTP/2); over HTTP/1.1 without {@code TE: trailers} its status is in the head. Logged with it.
     */
    @Test
    void aGrpcCallsStatusIsLogged() throws Exception {
        RawResponse r = RawClient.exchange(proxy.port(), "POST /grpc.testing.TestService/EmptyCall HTTP/1.1\n"
                + "Host: nosuch-grpc\nContent-Type: application/grpc\nContent-Length: 0\nConnection: close");
        assertEquals(200, r.status(), r.text());
        assertEquals("application/grpc", r.header("Content-Type"));
        assertEquals("14", r.header("grpc-status"), "UNAVAILABLE");
        assertEquals("no backend named nosuch-grpc", r.header("grpc-message"));
        assertEquals(0, r.body().length);
        String line = logLineWith("/grpc.testing.TestService/EmptyCall");
        assertTrue(line.matches(".* 200 .* error=no_such_backend grpc=14$"), line);
    }

    @Test
    void aNameOutsideBackendNetworksIsLoggedUnderItsNameWithItsKind() throws Exception {
        RawResponse r = RawClient.exchange(proxy.port(), "GET /outside HTTP/1.1\nHost: beta\nConnection: close");
        assertEquals(502, r.status(), r.text());
        String line = logLineWith("/outside");
        assertTrue(line.contains(" 502 ") && line.contains("backend=beta address=- upstream=-ms retries=0 "
                + "error=address_not_allowed"), line);
    }

    @Test
    void aWebSocketHandshakeIsLoggedUnderItsBackendAndAddress() throws Exception {
        try (WebSocketEcho echo = WebSocketEcho.start(ECHO_ADDRESS, Backends.PORT);
             WsClient ws = WsClient.open("echo.proxy.test", proxy.port(), "/echo?logged")) {
            String line = logLineWith("/echo?logged");
            assertTrue(line.contains(" 101 "), line);
            assertTrue(line.matches(".* backend=echo address=" + Pattern.quote(ECHO_ADDRESS)
                    + " upstream=\\d+ms retries=0 error=- grpc=-$"), line);
        }
    }

    /** The retry and DNS rules of a request, and so its log line, hold for a handshake too. */
    @Test
    void aHandshakeToAddressesThatAllRefuseIsLoggedAsARequestToThemIs() throws Exception {
        proxy.dns().set("allrefuse", "127.0.0.14", "127.0.0.24");
        RawResponse plain = RawClient.exchange(proxy.port(), "GET /refused-plain HTTP/1.1\nHost: allrefuse\nConnection: close");
        assertEquals(502, plain.status(), plain.text());
        String expected = ".* backend=allrefuse address=127\\.0\\.0\\.(14|24) upstream=-ms retries=2 error=refused grpc=-$";
        String plainLine = logLineWith("/refused-plain");
        assertTrue(plainLine.matches(expected), plainLine);
        RawResponse handshake = RawClient.exchange(proxy.port(), "GET /refused-ws HTTP/1.1\nHost: allrefuse\n"
                + "Connection: Upgrade\nUpgrade: websocket\nSec-WebSocket-Version: 13\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        assertEquals(502, handshake.status(), handshake.text());
        String line = logLineWith("/refused-ws");
        assertTrue(line.contains(" 502 ") && line.matches(expected), line);
    }
}
