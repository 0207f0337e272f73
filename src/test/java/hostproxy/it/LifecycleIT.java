package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.AdminServers;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.Reply;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** Issue point 7: built once at start, and nothing of ours left after an undeploy. */
class LifecycleIT {
    @Test
    void anUndeployLeavesNoConnectionAndNoThreadBehind() throws Exception {
        // with the admin port and active health checks on: their threads and listeners must go too
        try (Backends backends = Backends.start();
             AdminServers.Started started = AdminServers.start(Map.of("backendPort", Integer.toString(Backends.PORT),
                     "healthCheckPath", "/health", "healthCheckInterval", "200ms"))) {
            ProxyServer proxy = started.proxy();
            proxy.dns().set("from-dns", "127.0.0.13"); // a DNS lookup starts the resolver's I/O thread
            for (String host : List.of("alpha", "beta", "gamma", "alpha", "beta", "from-dns")) {
                try (RawClient c = new RawClient(proxy.port())) {
                    c.send("GET /keep HTTP/1.1\nHost: " + host, null);
                    assertEquals(200, c.read().status());
                }
            }
            assertTrue(backends.alpha.openConnections() + backends.beta.openConnections() > 0,
                    "pooled keep-alive connections to the backends are open while deployed");
            assertEquals(200, RawClient.exchange(started.adminPort(), "GET /metrics HTTP/1.1\nHost: a\nConnection: close")
                    .status(), "the admin port answers while deployed");
            proxy.log().clear();

            proxy.undeploy();

            Await.until(() -> backends.alpha.openConnections() + backends.beta.openConnections()
                    + backends.gamma.openConnections() == 0, Duration.ofSeconds(5),
                    "every backend connection is closed by the undeploy");
            List<String> leaks = proxy.log().messages(Level.WARNING).stream()
                    .filter(m -> m.startsWith("org.apache.catalina.loader")).toList();
            assertEquals(List.of(), leaks, "Tomcat's leak detection reports nothing");
            Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("hostproxy") || t.getName().startsWith("dnsjava")
                            || t.getName().startsWith("HTTP-Dispatcher")),
                    Duration.ofSeconds(5), "no thread of hostproxy's, its admin server's or its resolver's is left");
            assertThrows(IOException.class, () -> RawClient.exchange(started.adminPort(), "GET /healthz HTTP/1.1\nHost: a"),
                    "the admin port is closed");
        }
    }

    /**
     * Graceful stop: an exchange in flight when the application stops is answered in full (within
     * drainTimeout), and /readyz says 503 meanwhile, so that a load balancer sends no more.
     */
    @Test
    void anExchangeInFlightFinishesWhileReadinessSaysDraining() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Backends backends = Backends.start();
             AdminServers.Started started = AdminServers.start(Map.of("backendPort", Integer.toString(Backends.PORT),
                     "drainTimeout", "20s"))) {
            backends.alpha.handle(r -> (out, socket) -> {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Reply.text(200, "slow but complete").write(out, socket);
            });
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<RawResponse> inFlight = threads.submit(() -> RawClient.exchange(started.proxy().port(),
                        "GET /slow HTTP/1.1\nHost: alpha\nConnection: close"));
                Await.until(() -> backends.alpha.requestCount() + backends.alpha.openConnections() > 0,
                        Duration.ofSeconds(5), "the request reached the backend");
                Future<?> undeploy = threads.submit(() -> started.proxy().undeploy());
                Await.until(() -> readyz(started.adminPort()) == 503, Duration.ofSeconds(10), "/readyz answers 503 while draining");
                // for a second (a span to observe, bounded): the stop waits for the exchange in flight,
                // and the admin port stays up saying "draining"
                for (long end = System.nanoTime() + 1_000_000_000L; System.nanoTime() < end; Thread.sleep(50)) {
                    assertFalse(undeploy.isDone(), "the stop waits for the exchange in flight");
                    assertEquals(503, readyz(started.adminPort()), "the admin port stays up while draining");
                }
                release.countDown();
                RawResponse r = inFlight.get(10, TimeUnit.SECONDS);
                assertEquals(200, r.status());
                assertEquals("slow but complete", r.text());
                assertTrue(r.complete());
                undeploy.get(10, TimeUnit.SECONDS);
            } finally {
                release.countDown();
                threads.shutdownNow();
            }
        }
    }

    private static int readyz(int adminPort) {
        try {
            return RawClient.exchange(adminPort, "GET /readyz HTTP/1.1\nHost: a\nConnection: close").status();
        } catch (IOException e) {
            return -1;
        }
    }
}
