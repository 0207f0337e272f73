package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** Issue point 7: built once at start, and nothing of ours left after an undeploy. */
class LifecycleIT {
    @Test
    void anUndeployLeavesNoConnectionAndNoThreadBehind() throws Exception {
        try (Backends backends = Backends.start();
             ProxyServer proxy = ProxyServer.start(Map.of("backendPort", Integer.toString(Backends.PORT)))) {
            proxy.dns().set("from-dns", "127.0.0.13"); // a DNS lookup starts the resolver's I/O thread
            for (String host : List.of("alpha", "beta", "gamma", "alpha", "beta", "from-dns")) {
                try (RawClient c = new RawClient(proxy.port())) {
                    c.send("GET /keep HTTP/1.1\nHost: " + host, null);
                    assertEquals(200, c.read().status());
                }
            }
            assertTrue(backends.alpha.openConnections() + backends.beta.openConnections() > 0,
                    "pooled keep-alive connections to the backends are open while deployed");
            proxy.log().clear();

            proxy.undeploy();

            Await.until(() -> backends.alpha.openConnections() + backends.beta.openConnections()
                    + backends.gamma.openConnections() == 0, Duration.ofSeconds(5),
                    "every backend connection is closed by the undeploy");
            List<String> leaks = proxy.log().messages(Level.WARNING).stream()
                    .filter(m -> m.startsWith("org.apache.catalina.loader")).toList();
            assertEquals(List.of(), leaks, "Tomcat's leak detection reports nothing");
            Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("hostproxy") || t.getName().startsWith("dnsjava")),
                    Duration.ofSeconds(5), "no thread of hostproxy's or its resolver's is left");
        }
    }
}
