package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.containers.dist.Trees;
import hostproxy.it.support.AdminServers;
import hostproxy.it.support.Backends;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.time.Duration;
import hostproxy.it.support.Await;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11 over real sockets: the admin port's endpoints, its metrics read by Prometheus' own
 * parser ({@code promtool}), its status page rendered by a real browser (headless Chromium).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminIT {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private Backends backends;
    private AdminServers.Started started;

    @BeforeAll
    void start() throws Exception {
        backends = Backends.start();
        started = AdminServers.start(Map.of("backendPort", Integer.toString(Backends.PORT), "dnsRefresh", "1s"));
        started.proxy().dns().set("replicas", "127.0.0.11", "127.0.0.12");
    }

    @AfterAll
    void stop() throws Exception {
        started.close();
        backends.close();
    }

    private RawResponse admin(String target) throws IOException {
        return RawClient.exchange(started.adminPort(), "GET " + target + " HTTP/1.1\nHost: admin\nConnection: close");
    }

    /**
     * {@code /metrics} once it names every one of {@code expected} (at most 5 s): an exchange is
     * counted when it ends, which may be just after its client has read the response.
     */
    private RawResponse metricsNaming(List<String> expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (;;) {
            RawResponse scrape = admin("/metrics");
            if (expected.stream().allMatch(scrape.text()::contains) || System.nanoTime() > deadline) {
                return scrape;
            }
            Thread.sleep(20);
        }
    }

    private RawResponse proxied(String method, String host, String target) throws IOException {
        return RawClient.exchange(started.proxy().port(),
                method + " " + target + " HTTP/1.1\nHost: " + host + "\nConnection: close");
    }

    @Test
    void healthAndReadinessAnswerOnTheAdminPort() throws Exception {
        RawResponse health = admin("/healthz");
        assertEquals(200, health.status());
        assertEquals("ok\n", health.text());
        RawResponse ready = admin("/readyz");
        assertEquals(200, ready.status());
        assertEquals("ready\n", ready.text());
        assertEquals(404, admin("/nothing-here").status());
    }

    @Test
    void onThePublicPortTheAdminPathsAreProxiedLikeAnyOther() throws Exception {
        for (String path : List.of("/", "/healthz", "/readyz", "/metrics")) {
            RawResponse r = proxied("GET", "alpha", path);
            assertEquals(200, r.status(), path);
            assertEquals("alpha", r.header("X-Backend"), path);
            assertTrue(r.text().contains("target=" + path + "\n"), r.text());
        }
    }

    @Test
    void metricsAreValidPrometheusTextAndNameWhatHappened() throws Exception {
        assertEquals(200, proxied("GET", "alpha", "/a").status());
        assertEquals(200, proxied("POST", "replicas", "/b").status());
        assertEquals(502, proxied("GET", "nosuch-metrics", "/c").status());
        List<String> series = List.of(
                "hostproxy_requests_total{backend=\"alpha\",method=\"GET\",status_class=\"2xx\"}",
                "hostproxy_requests_total{backend=\"replicas\",method=\"POST\",status_class=\"2xx\"}",
                "hostproxy_requests_total{backend=\"_none\",method=\"GET\",status_class=\"5xx\"}",
                "hostproxy_errors_total{backend=\"_none\",kind=\"no_such_backend\"}",
                "hostproxy_request_duration_seconds_bucket{backend=\"alpha\",le=\"0.005\"}",
                "hostproxy_request_duration_seconds_count{backend=\"alpha\"}",
                "hostproxy_backend_up{address=\"127.0.0.11\",backend=\"replicas\"} 1",
                "hostproxy_backend_up{address=\"127.0.0.12\",backend=\"replicas\"} 1",
                "hostproxy_dns_lookups_total ", "hostproxy_dns_failures_total ",
                "hostproxy_health_checks_total{result=\"pass\"}",
                "hostproxy_tunnels_open 0", "hostproxy_tunnel_bytes_total{direction=\"to_backend\"} 0",
                "hostproxy_requests_in_flight ", "hostproxy_info{version=",
                "jvm_memory_used_bytes{", "httpcomponents_httpclient_pool_total_max{");
        RawResponse scrape = metricsNaming(series);
        assertEquals(200, scrape.status());
        assertTrue(scrape.header("Content-Type").startsWith("text/plain; version=0.0.4"), scrape.header("Content-Type"));
        String text = scrape.text();
        for (String expected : series) {
            assertTrue(text.contains(expected), "missing " + expected + " in\n" + text);
        }
        promtoolAccepts(text);
    }

    /** Clients choose names and methods: neither may create series without bound. */
    @Test
    void labelsStayBoundedWhateverClientsSend() throws Exception {
        for (int i = 0; i < 40; i++) {
            proxied("GET", "nosuch-" + i, "/");
            proxied("X-CUSTOM-" + i, "alpha", "/");
        }
        String text = metricsNaming(List.of(
                "hostproxy_requests_total{backend=\"alpha\",method=\"other\",status_class=\"2xx\"}")).text();
        assertFalse(text.contains("nosuch-"), "an unknown name is no label value");
        assertFalse(text.contains("X-CUSTOM"), "an extension method is no label value");
        assertTrue(text.contains("hostproxy_requests_total{backend=\"alpha\",method=\"other\",status_class=\"2xx\"}"), text);
        Set<String> backendsSeen = new TreeSet<>();
        Matcher m = Pattern.compile("^hostproxy_requests_total\\{backend=\"([^\"]*)\"", Pattern.MULTILINE).matcher(text);
        while (m.find()) {
            backendsSeen.add(m.group(1));
        }
        assertTrue(backendsSeen.size() <= 3, backendsSeen.toString());
    }

    @Test
    void theStatusPageShowsEveryBackendWithItsAddressesInABrowser() throws Exception {
        assertEquals(200, proxied("GET", "alpha", "/x").status());
        assertEquals(200, proxied("GET", "replicas", "/y").status());
        started.proxy().dns().set("web", "127.0.0.11", "127.0.0.12", "127.0.0.19"); // nothing listens on .19
        for (int i = 0; i < 30; i++) {
            assertEquals(200, proxied(i % 3 == 0 ? "POST" : "GET", "web", "/page/" + i).status());
        }
        RawResponse page = admin("/");
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Type").startsWith("text/html"), "Content-Type " + page.header("Content-Type"));
        assertFalse(page.text().matches("(?s).*(src|href)=\"https?:.*"), "no external asset");

        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "SKIPPED: headless Chromium is not installed (Debian package chromium); the status page was checked as HTML only");
        // traffic meanwhile, so that the refusing address is retried after each back-off and stays "failing"
        AtomicBoolean rendering = new AtomicBoolean(true);
        Thread traffic = new Thread(() -> {
            for (int i = 0; i < 10_000 && rendering.get(); i++) {
                try {
                    proxied("GET", "web", "/during/" + i);
                    Thread.sleep(20); // the pace of a client
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        traffic.start();
        try {
            Await.until(() -> admin200().contains(">failing<"), Duration.ofSeconds(10), "the refusing address is failing");
            String dom = chromium("--dump-dom", "http://127.0.0.1:" + started.adminPort() + "/");
            for (String expected : List.of("alpha", "replicas", "web", "127.0.0.11", "127.0.0.12", "127.0.0.19",
                    "healthy", ">failing<", "Connection refused", "uptime", "version", HostProxyVersion.get())) {
                assertTrue(dom.contains(expected), "the rendered page lacks " + expected + ":\n" + dom);
            }
            assertTrue(dom.contains("id=\"backend-replicas\""), "no section with id backend-replicas in the DOM:\n" + dom);
            Path png = Path.of("target", "status.png").toAbsolutePath(); // docs/operations.md: docs/status.png is a copy
            Files.deleteIfExists(png);
            chromium("--window-size=1000,1000", "--hide-scrollbars", "--screenshot=" + png,
                    "http://127.0.0.1:" + started.adminPort() + "/");
            assertTrue(Files.size(png) > 10_000, "a screenshot of the page: " + png);
        } finally {
            rendering.set(false);
            traffic.join(10_000);
        }
    }

    private String admin200() {
        try {
            return admin("/").text();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void aTakenAdminPortLeavesTheProxyServingAndSaysSoOnce() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ProxyServer proxy = ProxyServer.start(Map.of("backendPort", Integer.toString(Backends.PORT),
                     "adminPort", Integer.toString(taken.getLocalPort())))) {
            assertTrue(proxy.deployed());
            RawResponse r = RawClient.exchange(proxy.port(), "GET / HTTP/1.1\nHost: alpha\nConnection: close");
            assertEquals(200, r.status());
            List<String> lines = proxy.log().messages(Level.WARNING).stream()
                    .filter(l -> l.contains("admin endpoints")).toList();
            assertEquals(1, lines.size(), proxy.log().messages(Level.WARNING).toString());
            assertTrue(lines.get(0).contains("127.0.0.1:" + taken.getLocalPort()) && lines.get(0).contains("are off"),
                    lines.get(0));
        }
    }

    private static void promtoolAccepts(String exposition) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMTOOL),
                "SKIPPED: promtool is not installed (Debian package prometheus); the exposition was not parsed");
        Path file = Path.of("target", "admin-metrics.txt"); // kept, to read what promtool read
        {
            Files.writeString(file, exposition);
            Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
                    .redirectInput(file.toFile()).redirectErrorStream(true).start();
            String out;
            try {
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not finish within 30 s");
                out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                p.destroyForcibly();
            }
            assertEquals(0, p.exitValue(), "promtool check metrics " + file + ":\n" + out);
        }
    }

    /** Runs headless Chromium with a profile of its own, bounded to 60 s; returns its standard output. */
    static String chromium(String... args) throws Exception {
        Path profile = Files.createTempDirectory("hostproxy-chromium");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        File out = Files.createTempFile("hostproxy-chromium", ".out").toFile();
        Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish within 60 s");
            return Files.readString(out.toPath());
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            out.delete();
            Trees.remove(profile);
        }
    }

    /** The version the build wrote into the WAR (the status page shows it). */
    static final class HostProxyVersion {
        static String get() {
            return System.getProperty("project.version", "0.1.0-SNAPSHOT");
        }
    }

    static Map<String, String> settings(String... kv) {
        Map<String, String> s = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            s.put(kv[i], kv[i + 1]);
        }
        return s;
    }
}
