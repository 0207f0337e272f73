package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Backends;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.Reply;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What an operator reads when something fails: each backend failure once at WARNING, naming the
 * backend and the cause; what a client caused only at FINE. (The failures themselves, their
 * statuses and aborts, are checked on every container by {@code hostproxy.containers.FailuresCT};
 * this needs the proxy's log, so it runs in the test JVM's own Tomcat.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailureLoggingIT {
    private Backends backends;
    private ProxyServer proxy;

    @BeforeAll
    void start() throws Exception {
        backends = Backends.start();
        proxy = ProxyServer.start(Map.of("backendPort", Integer.toString(Backends.PORT)));
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
    void aRefusedConnectionIsLoggedOnceNamingTheBackendAndTheCause() throws IOException {
        assertEquals(502, get("refused").status());
        assertEquals(1, warnings().size(), warnings().toString());
        assertTrue(warnings().get(0).contains("backend refused refused the connection")
                && warnings().get(0).contains("Connection refused"), warnings().toString());
    }

    @Test
    void aBackendBreakingOffIsLoggedOnce() throws IOException {
        backends.alpha.handle(req -> Reply.head("HTTP/1.1 200 OK\nContent-Length: 100000", (out, socket) -> {
            out.write(new byte[40_000]);
            out.flush();
            return false;
        }));
        get("alpha");
        assertEquals(1, warnings().size(), warnings().toString());
        assertTrue(warnings().get(0).contains("backend alpha broke off the response after 40000 body bytes"),
                warnings().toString());
    }

    @Test
    void aNameDnsDoesNotKnowIsTheClientsInputAndLoggedOnlyAtFine() throws IOException {
        assertEquals("no backend named nosuchservice\n", get("nosuchservice.example.com").text());
        assertEquals(List.of(), warnings(), "a scan of random names cannot flood the log");
        assertTrue(proxy.log().messages(Level.FINE).stream().anyMatch(m -> m.contains("no backend named nosuchservice")));
    }

    @Test
    void aBadRequestIsLoggedOnlyAtFine() throws IOException {
        assertEquals(400, get("127.0.0.1").status());
        assertEquals(List.of(), warnings());
    }
}
