package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.config.Setting;
import hostproxy.it.support.AdminServers;
import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.KeepAliveClient;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.TestBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 23 over real sockets: backends built from the template are never connected to at an
 * address outside {@code backendNetworks}, whose default leaves out the loopback every backend
 * of this test is on. A real DNS server ({@code TestDns}) gives and changes the addresses; each
 * backend counts the connections it accepted.
 */
class BackendNetworksIT {
    private TestBackend local;
    private TestBackend other;
    private ProxyServer proxy;
    private AdminServers.Started withAdmin;

    @BeforeEach
    void startBackends() throws IOException {
        local = TestBackend.start("local", "127.0.0.21", Backends.PORT);
        other = TestBackend.start("other", "127.0.0.22", Backends.PORT);
    }

    @AfterEach
    void stop() throws Exception {
        if (withAdmin != null) {
            withAdmin.close();
        } else if (proxy != null) {
            proxy.close();
        }
        local.close();
        other.close();
    }

    /** A proxy with these settings over the test's defaults; {@code backendNetworks} as given, or its default. */
    private ProxyServer proxy(String... settings) throws Exception {
        Map<String, String> s = new HashMap<>(Map.of("backendPort", Integer.toString(Backends.PORT),
                "backendNetworks", Setting.BACKEND_NETWORKS.defaultValue(), "dnsRefresh", "1s"));
        for (int i = 0; i < settings.length; i += 2) {
            s.put(settings[i], settings[i + 1]);
        }
        proxy = ProxyServer.start(s);
        return proxy;
    }

    private RawResponse get(String host) throws IOException {
        return RawClient.exchange(proxy.port(), "GET /n HTTP/1.1\nHost: " + host + "\nConnection: close");
    }

    private List<String> warningsAbout(String name) {
        return proxy.log().messages(Level.WARNING).stream().filter(m -> m.contains("backend " + name)).toList();
    }

    @Test
    void aNameResolvingToTheLoopbackIsRefusedByDefaultAndTheBackendSeesNoByte() throws Exception {
        withAdmin = AdminServers.start(Map.of("backendPort", Integer.toString(Backends.PORT),
                "backendNetworks", Setting.BACKEND_NETWORKS.defaultValue()));
        proxy = withAdmin.proxy();
        proxy.dns().set("web", "127.0.0.21");
        for (int i = 0; i < 3; i++) {
            RawResponse r = get("web.example.com");
            assertEquals(502, r.status(), r.text());
            assertEquals("backend web resolves only to 127.0.0.21 (loopback), which backendNetworks does not allow\n",
                    r.text());
        }
        assertEquals(0, local.acceptedConnections(), "the backend never saw a connection");
        assertEquals(List.of("hostproxy.upstream.Backend: backend web resolves only to 127.0.0.21 (loopback), which "
                + "backendNetworks does not allow: requests for it get 502 until DNS gives it another address"),
                warningsAbout("web"), "one WARNING for the name, none per request");

        String counted = "hostproxy_errors_total{backend=\"web\",kind=\"address_not_allowed\"} 3.0";
        Await.until(() -> admin("/metrics").contains(counted), Duration.ofSeconds(5), "metrics: " + counted);
        String page = admin("/");
        assertTrue(page.contains("address_not_allowed 3"), "the status page counts the kind");
        assertTrue(page.contains("<td class=\"address\">127.0.0.21</td><td><span class=\"state refused\">refused</span>"
                + "</td><td>0</td><td>not allowed by backendNetworks: loopback</td>"), "the status page shows why");
        assertEquals(0, local.acceptedConnections(), "nor did a health check or anything else reach it");
    }

    private String admin(String target) {
        try {
            return RawClient.exchange(withAdmin.adminPort(), "GET " + target + " HTTP/1.1\nHost: admin\nConnection: close")
                    .text();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void backendNetworksAllowsTheLoopbackOnPurpose() throws Exception {
        proxy("backendNetworks", "public-and-private, 127.0.0.21");
        proxy.dns().set("web", "127.0.0.21");
        proxy.dns().set("web2", "127.0.0.22");
        RawResponse r = get("web.example.com");
        assertEquals(200, r.status(), r.text());
        assertEquals("local", r.header("X-Backend"));
        assertEquals(502, get("web2.example.com").status(), "127.0.0.22 is not allowed");
        assertEquals(0, other.acceptedConnections());
    }

    @Test
    void anExplicitRouteIsNotChecked() throws Exception {
        proxy("routes", "app=http://127.0.0.21:" + Backends.PORT + ",named=http://web:" + Backends.PORT);
        proxy.dns().set("web", "127.0.0.22");
        RawResponse byAddress = get("app.example.com");
        assertEquals(200, byAddress.status(), byAddress.text());
        assertEquals("local", byAddress.header("X-Backend"));
        RawResponse byName = get("named.example.com");
        assertEquals(200, byName.status(), byName.text());
        assertEquals("other", byName.header("X-Backend"));
        assertEquals(List.of(), warningsAbout("web"));
    }

    @Test
    void aNameThatDnsMovesToARefusedAddressIsRefusedAfterTheRefresh() throws Exception {
        proxy("backendNetworks", "127.0.0.21"); // 127.0.0.22 stands for any address outside
        proxy.dns().set("moving", "127.0.0.21");
        try (KeepAliveClient client = new KeepAliveClient(proxy.port())) {
            RawResponse first = client.send("GET /m HTTP/1.1\nHost: moving");
            assertEquals("local", first.header("X-Backend"), first.text());
        }
        assertTrue(local.openConnections() > 0, "a pooled connection to the allowed address is open");

        proxy.dns().set("moving", "127.0.0.22"); // DNS rebinding: the name now points elsewhere
        Await.until(() -> statusOf("moving") == 502, Duration.ofSeconds(5),
                "refused within dnsRefresh (1 s) of the change");
        RawResponse refused = get("moving");
        assertEquals("backend moving resolves only to 127.0.0.22 (loopback), which backendNetworks (127.0.0.21) does not allow\n",
                refused.text());
        assertEquals(0, other.acceptedConnections(), "the refused address never saw a connection");
        Await.until(() -> local.openConnections() == 0, Duration.ofSeconds(3),
                "the connections to the address that left are closed");
        assertEquals(1, warningsAbout("moving").size(), warningsAbout("moving").toString());
    }

    private int statusOf(String host) {
        try {
            RawResponse r = get(host);
            assertTrue(r.status() == 200 || r.status() == 502, r.status() + " " + r.text());
            return r.status();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
