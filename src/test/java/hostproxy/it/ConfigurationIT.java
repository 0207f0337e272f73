package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Backends;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue point 6 in a real deployment: where settings come from, and what a bad one does. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfigurationIT {
    private Backends backends;

    @BeforeAll
    void start() throws Exception {
        backends = Backends.start();
    }

    @AfterAll
    void stop() throws Exception {
        backends.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "connectTimeout|5 seconds", "backendPort|80800", "preserveHost|yes", "routes|api=ftp://x",
            "allowedBackends|a.b", "maxConnections|0", "backendScheme|gopher", "backendHost|{label}_x",
            "maxBodySize|lots", "trustedProxies|lb.internal", "allowedClients|10.0.0.0/99", "sticky|yes",
            "routesFile|/no/such/routes-file", "routesFileCheck|sometimes", "adminPort|70000", "healthCheckPath|health",
            "drainTimeout|0s", "backendNetworks|127.1"})
    void anInvalidSettingStopsDeploymentWithOneLineNamingIt(String setting, String value) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream realErr = System.err;
        System.setErr(new PrintStream(new TeeStream(realErr, console), true, StandardCharsets.UTF_8));
        try (ProxyServer proxy = ProxyServer.start(Map.of(setting, value))) {
            System.setErr(realErr);
            assertFalse(proxy.deployed(), setting + "=" + value + " must stop the deployment");
            // the container's console (catalina.out) gets the one line too, not only the context's log
            List<String> onConsole = console.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.startsWith("hostproxy: invalid setting " + setting + "='" + value + "': ")).toList();
            assertEquals(1, onConsole.size(), console.toString(StandardCharsets.UTF_8));
            List<String> naming = proxy.log().messages(Level.SEVERE).stream()
                    .filter(m -> m.contains("invalid setting " + setting + "='" + value + "'")).toList();
            assertEquals(1, naming.size(), proxy.log().messages(Level.WARNING).toString());
            RawResponse r = RawClient.exchange(proxy.port(), "GET / HTTP/1.1\nHost: alpha\nConnection: close");
            assertNotEquals(200, r.status(), "nothing is proxied by a deployment that failed");
        } finally {
            System.setErr(realErr);
        }
    }

    /** Writes to the real stream and to a copy. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }

    /**
     * Issue 23: a mistyped setting is named once at start, with the setting meant, and is never
     * fatal; a framework's own context parameter is left alone.
     */
    @Test
    void aMistypedSettingIsNamedOnceWithTheSettingMeant() throws Exception {
        System.setProperty("hostproxy.backendProt", "9");
        try (ProxyServer proxy = ProxyServer.start(Map.of("backendPort", Integer.toString(Backends.PORT),
                "dnsRefesh", "1s", "org.example.framework.cacheSize", "5"))) {
            assertTrue(proxy.deployed(), "a typo does not stop the deployment");
            for (int i = 0; i < 2; i++) {
                RawResponse r = RawClient.exchange(proxy.port(), "GET / HTTP/1.1\nHost: alpha\nConnection: close");
                assertEquals("alpha", r.header("X-Backend"), r.text());
            }
            List<String> named = proxy.log().messages(Level.WARNING).stream()
                    .filter(m -> m.contains("dnsRefesh") || m.contains("backendProt") || m.contains("org.example"))
                    .sorted().toList();
            assertEquals(List.of("hostproxy.HostProxyLifecycle: hostproxy: context parameter dnsRefesh is not a setting "
                            + "and is ignored; did you mean dnsRefresh?",
                    "hostproxy.HostProxyLifecycle: hostproxy: system property hostproxy.backendProt is not a setting "
                            + "and is ignored; did you mean hostproxy.backendPort?"), named);
        } finally {
            System.clearProperty("hostproxy.backendProt");
        }
    }

    @Test
    void aSystemPropertyWinsOverAContextParameter() throws Exception {
        System.setProperty("hostproxy.backendPort", Integer.toString(Backends.PORT));
        try (ProxyServer proxy = ProxyServer.start(Map.of("backendPort", "1"))) {
            RawResponse r = RawClient.exchange(proxy.port(), "GET / HTTP/1.1\nHost: alpha\nConnection: close");
            assertEquals(200, r.status());
            assertEquals("alpha", r.header("X-Backend"));
        } finally {
            System.clearProperty("hostproxy.backendPort");
        }
    }

    @Test
    void preserveHostFalseSendsTheBackendsOwnName() throws Exception {
        try (ProxyServer proxy = ProxyServer.start(Map.of("backendPort", Integer.toString(Backends.PORT),
                "preserveHost", "false"))) {
            backends.reset();
            RawClient.exchange(proxy.port(), "GET / HTTP/1.1\nHost: alpha.example.com\nConnection: close");
            var got = backends.alpha.takeRequest();
            assertEquals("alpha:" + Backends.PORT, got.header("Host"));
            assertEquals("alpha.example.com", got.header("X-Forwarded-Host"));
        }
    }

    @Test
    void theHostTemplateBuildsTheBackendName() throws Exception {
        // "{label}" with a suffix that the hosts file does not know: the name built must be the one resolved
        try (ProxyServer proxy = ProxyServer.start(Map.of("backendPort", Integer.toString(Backends.PORT),
                "backendHost", "{label}.internal"))) {
            RawResponse r = RawClient.exchange(proxy.port(), "GET / HTTP/1.1\nHost: alpha.example.com\nConnection: close");
            assertEquals(502, r.status());
            assertTrue(r.text().contains("no backend named alpha.internal"), r.text());
        }
    }
}
