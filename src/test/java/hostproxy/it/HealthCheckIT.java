package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.AdminServers;
import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.KeepAliveClient;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.RecordedRequest;
import hostproxy.it.support.Reply;
import hostproxy.it.support.TestBackend;
import hostproxy.it.support.TestDns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Active health checks over real sockets, with a real DNS server whose records change: an address
 * takes traffic only once its health path has answered well, and leaves when it fails.
 */
class HealthCheckIT {
    private TestDns dns;
    private AdminServers.Started proxy;

    @BeforeEach
    void startDns() throws IOException {
        dns = TestDns.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        dns.close();
    }

    private AdminServers.Started proxy(String... more) throws Exception {
        Map<String, String> s = new HashMap<>(Map.of("backendPort", Integer.toString(Backends.PORT),
                "dnsServers", dns.server(), "dnsRefresh", "300ms", "dnsTimeout", "500ms", "connectTimeout", "1s",
                "healthCheckPath", "/health?probe=1", "healthCheckInterval", "300ms", "healthCheckTimeout", "500ms",
                "healthCheckFall", "2", "healthCheckRise", "2"));
        for (int i = 0; i < more.length; i += 2) {
            s.put(more[i], more[i + 1]);
        }
        proxy = AdminServers.start(s);
        return proxy;
    }

    /** A backend whose health path answers 200 while {@code healthy} holds, 503 otherwise; it counts both kinds of request. */
    static final class Checked implements Function<RecordedRequest, Reply> {
        final AtomicBoolean healthy;
        final AtomicInteger checks = new AtomicInteger();
        final AtomicInteger traffic = new AtomicInteger();
        volatile String checkHost;

        Checked(boolean healthy) {
            this.healthy = new AtomicBoolean(healthy);
        }

        @Override
        public Reply apply(RecordedRequest r) {
            if (r.target().startsWith("/health")) {
                checkHost = r.header("Host");
                checks.incrementAndGet();
                return Reply.text(healthy.get() ? 200 : 503, healthy.get() ? "ok" : "starting");
            }
            traffic.incrementAndGet();
            return TestBackend.echo(r);
        }
    }

    private RawResponse get(String host) throws IOException {
        return RawClient.exchange(proxy.proxy().port(), "GET /work HTTP/1.1\nHost: " + host + "\nConnection: close");
    }

    @Test
    void anAddressNewInDnsGetsTrafficOnlyAfterItsHealthPathPasses() throws Exception {
        Checked first = new Checked(true);
        Checked second = new Checked(false);
        try (TestBackend a = TestBackend.start("first", "127.0.0.31", Backends.PORT).handle(first);
             TestBackend b = TestBackend.start("second", "127.0.0.32", Backends.PORT).handle(second)) {
            dns.set("svc", "127.0.0.31");
            proxy();
            RawResponse r = get("svc");
            assertEquals(200, r.status(), r.text()); // waited for the first check of a name never seen
            assertEquals("first", r.header("X-Backend"));
            assertEquals("svc:" + Backends.PORT, first.checkHost, "a check carries the backend's own name as Host");

            dns.set("svc", "127.0.0.31", "127.0.0.32"); // a replica appears before its application is ready
            Await.until(() -> second.checks.get() >= 2, Duration.ofSeconds(5), "the new address is checked");
            try (KeepAliveClient c = new KeepAliveClient(proxy.proxy().port())) {
                for (int i = 0; i < 40; i++) {
                    RawResponse x = c.send("GET /n/" + i + " HTTP/1.1\nHost: svc");
                    assertEquals(200, x.status(), x.text());
                    assertEquals("first", x.header("X-Backend"), "no traffic before a check passed");
                }
            }
            assertEquals(0, second.traffic.get());
            assertTrue(metrics().contains("hostproxy_backend_up{address=\"127.0.0.32\",backend=\"svc\"} 0"), metrics());
            assertTrue(status().contains(">not ready<"), status());

            second.healthy.set(true); // the application is up
            Await.until(() -> sendOne("svc") && second.traffic.get() > 0, Duration.ofSeconds(5),
                    "the address takes traffic once its check passed");
            assertTrue(metrics().contains("hostproxy_backend_up{address=\"127.0.0.32\",backend=\"svc\"} 1"), metrics());

            first.healthy.set(false); // healthCheckFall (2) failed checks take it out
            Await.until(() -> status().contains(">ejected<"), Duration.ofSeconds(5), "the failing address is ejected");
            int before = first.traffic.get();
            for (int i = 0; i < 20; i++) {
                assertEquals("second", get("svc").header("X-Backend"), "an ejected address gets no traffic");
            }
            assertEquals(before, first.traffic.get());
        }
    }

    /** Sends one request; true, so that it can keep traffic flowing inside an {@link Await}. */
    private boolean sendOne(String host) {
        try {
            get(host);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aNameWhoseOnlyAddressNeverPassesGets503WithinTheCheckTimeout() throws Exception {
        Checked never = new Checked(false);
        try (TestBackend c = TestBackend.start("never", "127.0.0.33", Backends.PORT).handle(never)) {
            dns.set("unready", "127.0.0.33");
            proxy();
            long start = System.nanoTime();
            RawResponse r = get("unready");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, r.status(), r.text());
            assertEquals("backend unready has no address that passed its health check\n", r.text());
            assertTrue(tookMs < 3_000, "answered after " + tookMs + " ms");
            assertEquals(0, never.traffic.get());
        }
    }

    @Test
    void aHealthPathSlowerThanTheTimeoutFailsAndTheRequestWaitsNoLonger() throws Exception {
        List<Long> checkStarts = new CopyOnWriteArrayList<>();
        try (TestBackend c = TestBackend.start("slow", "127.0.0.34", Backends.PORT).handle(r -> r.target().startsWith("/health")
                ? (out, socket) -> {
                    checkStarts.add(System.nanoTime());
                    try {
                        Thread.sleep(3_000); // far beyond healthCheckTimeout
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }
                : TestBackend.echo(r))) {
            dns.set("slow", "127.0.0.34");
            proxy();
            long start = System.nanoTime();
            RawResponse r = get("slow");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, r.status(), r.text());
            assertTrue(tookMs < 2_000, "the request waited " + tookMs + " ms, healthCheckTimeout is 500 ms");
            // never two checks at once to one address, however slow it is: each starts only once the
            // one before gave up (healthCheckTimeout, 500 ms), although the interval is 300 ms
            Await.until(() -> checkStarts.size() >= 4, Duration.ofSeconds(5), "the address is checked again and again");
            for (int i = 1; i < 4; i++) {
                long gapMs = (checkStarts.get(i) - checkStarts.get(i - 1)) / 1_000_000;
                assertTrue(gapMs >= 450, "check " + i + " started " + gapMs + " ms after the one before: they piled up");
            }
        }
    }

    /** A routes-file line's healthCheckPath checks that route's backend alone, with the global path off. */
    @Test
    void aRoutesOwnHealthCheckPathChecksThatBackendOnly() throws Exception {
        Checked routed = new Checked(false);
        Checked plain = new Checked(false); // its /ready would fail, but nothing asks it
        Path routes = Files.createTempFile("hostproxy-routes", "");
        try (TestBackend r = TestBackend.start("routed", "127.0.0.35", Backends.PORT).handle(routed);
             TestBackend p = TestBackend.start("plain", "127.0.0.36", Backends.PORT).handle(plain)) {
            Files.writeString(routes, "checked  http://routed:" + Backends.PORT + "  healthCheckPath=/health/own\n"
                    + "unchecked  http://plain:" + Backends.PORT + "\n");
            dns.set("routed", "127.0.0.35").set("plain", "127.0.0.36");
            proxy("healthCheckPath", "", "routesFile", routes.toString());
            assertEquals(503, get("checked").status(), "the route's backend waits for its own check, which fails");
            assertTrue(routed.checks.get() > 0 && routed.checkHost.equals("routed:" + Backends.PORT));
            RawResponse unchecked = get("unchecked");
            assertEquals(200, unchecked.status(), "a route without a path is not checked");
            assertEquals(0, plain.checks.get());
            routed.healthy.set(true);
            Await.until(() -> sendOne("checked") && routed.traffic.get() > 0, Duration.ofSeconds(5),
                    "the route's backend takes traffic once its own check passed");
        } finally {
            Files.deleteIfExists(routes);
        }
    }

    private String metrics() {
        try {
            return RawClient.exchange(proxy.adminPort(), "GET /metrics HTTP/1.1\nHost: a\nConnection: close").text();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String status() {
        try {
            return RawClient.exchange(proxy.adminPort(), "GET / HTTP/1.1\nHost: a\nConnection: close").text();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
