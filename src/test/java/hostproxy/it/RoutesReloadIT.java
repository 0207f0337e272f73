package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.AdminServers;
import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.TestBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's finer cases on Tomcat: each kind of bad routes file, options and allowances taken
 * live, health checks started and stopped by the file, threads after 200 reloads. (The changes
 * themselves, and what is under way, on every container: {@code hostproxy.containers.RoutesCT}.)
 */
class RoutesReloadIT {
    private static final int PORT = Backends.PORT;
    /** A change is in force within {@code routesFileCheck} (200 ms here) and a second. */
    private static final Duration IN_FORCE = Duration.ofMillis(1_200);
    private static final String OK = "hostproxy_routes_reloads_total{result=\"ok\"}";
    private static final String FAILED = "hostproxy_routes_reloads_total{result=\"failed\"}";
    private static final String SUCCESSFUL = "hostproxy_routes_last_reload_successful";

    @TempDir
    Path dir;
    private Path file;
    private Backends backends;
    private AdminServers.Started proxy;

    @BeforeEach
    void startBackends() throws IOException {
        backends = Backends.start();
        file = dir.resolve("routes");
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        backends.close();
    }

    /** A proxy reading {@link #file}, which first holds {@code routes}, every 200 ms; only alpha is allowed without a line. */
    private void start(String routes, String... more) throws Exception {
        Files.writeString(file, routes);
        Map<String, String> s = new HashMap<>(Map.of("backendPort", Integer.toString(PORT), "allowedBackends", "alpha",
                "routesFile", file.toString(), "routesFileCheck", "200ms"));
        for (int i = 0; i < more.length; i += 2) {
            s.put(more[i], more[i + 1]);
        }
        proxy = AdminServers.start(s);
    }

    private RawResponse get(String host) {
        try {
            return RawClient.exchange(proxy.proxy().port(), "GET /x HTTP/1.1\nHost: " + host + "\nConnection: close");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RawResponse admin(String target) {
        try {
            return RawClient.exchange(proxy.adminPort(), "GET " + target + " HTTP/1.1\nHost: admin\nConnection: close");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private double metric(String series) {
        for (String line : admin("/metrics").text().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError(series + " is not in /metrics");
    }

    /** Writes the file and waits until its routes are taken (one reload more). */
    private void reload(String routes) throws Exception {
        double taken = metric(OK);
        Files.writeString(file, routes);
        Await.until(() -> metric(OK) == taken + 1, IN_FORCE, "taken: " + routes);
    }

    private List<String> warnings() {
        return proxy.proxy().log().messages(Level.WARNING).stream()
                .filter(m -> m.startsWith("hostproxy.config.RoutesWatcher: ")).toList();
    }

    @Test
    void aLineWithTheTemplatesBackendIsAnAllowanceTakenLiveAndACommentAloneRemovesIt() throws Exception {
        start("# no route yet\n");
        assertEquals(404, get("beta").status(), "beta is not in allowedBackends");
        Files.writeString(file, "beta  -  responseTimeout=5s\n");
        Await.until(() -> get("beta").status() == 200, IN_FORCE, "a line lets beta in");
        assertEquals("beta", get("beta").header("X-Backend"), "the template's backend");
        String page = admin("/").text();
        assertTrue(page.contains("<td class=\"address\">beta</td><td class=\"address\">- (template)</td>"
                + "<td class=\"address\">responseTimeout=5s</td><td>line 1</td>"), page);
        assertTrue(proxy.proxy().log().messages(Level.INFO).contains("hostproxy.config.RoutesWatcher: hostproxy: routes "
                + "file " + file + " reloaded: 1 route; added beta"), "one line says what changed");

        Files.writeString(file, "# beta is gone again\n");
        Await.until(() -> get("beta").status() == 404, IN_FORCE, "a file of comments removes every route");
        assertEquals(List.of(), warnings());
    }

    @Test
    void anUploadUnderWayKeepsTheOptionsItStartedWithWhileNewOnesFollowTheFile() throws Exception {
        start("alpha  -  maxBodySize=1MB\n");
        byte[] body = new byte[4096];
        Arrays.fill(body, (byte) 'u');
        try (RawClient upload = new RawClient(proxy.proxy().port())) {
            upload.send("POST /up HTTP/1.1\nHost: alpha\nContent-Length: 4096", Arrays.copyOf(body, 1024));
            reload("alpha  -  maxBodySize=1KB\n");
            try (RawClient fresh = new RawClient(proxy.proxy().port())) {
                RawResponse refused = fresh.send("POST /up HTTP/1.1\nHost: alpha\nContent-Length: 4096\nConnection: close",
                        body).read();
                assertEquals(413, refused.status(), "a new exchange: the file's new limit");
            }
            upload.sendRaw(Arrays.copyOfRange(body, 1024, 4096));
            RawResponse done = upload.read();
            assertEquals(200, done.status(), done.text());
            assertTrue(done.text().contains("body=4096\n"), "the upload under way kept its limit: " + done.text());
        }
    }

    @Test
    void eachKindOfBadFileKeepsTheRoutesWithOneWarningNamingTheFileTheLineAndTheProblemUntilMended() throws Exception {
        start("beta  http://beta:" + PORT + "\n", "routes", "gamma=http://gamma:" + PORT);
        String named = "hostproxy.config.RoutesWatcher: hostproxy: invalid setting routesFile='" + file + "': ";
        List<String> problems = List.of(
                "line 2: sticky='maybe': expected off or cookie",
                "empty (0 bytes), as a file being written in place is; a file with only a comment in it removes every route",
                "cannot read it (java.nio.file.NoSuchFileException: " + file + ")",
                "line 1: label 'gamma' is also routed by the routes setting");
        String[] writes = {"beta  http://beta:" + PORT + "\nshop  http://alpha:" + PORT + "  sticky=maybe\n", "", null,
            "gamma  -\n"};
        for (int i = 0; i < writes.length; i++) {
            double failed = metric(FAILED);
            if (writes[i] == null) {
                Files.delete(file);
            } else {
                Files.writeString(file, writes[i]);
            }
            Await.until(() -> metric(FAILED) == failed + 1, IN_FORCE, "refused: " + problems.get(i));
            assertEquals(0, metric(SUCCESSFUL));
            assertEquals("beta", get("beta").header("X-Backend"), "the last good routes stay in force");
            assertEquals(200, admin("/readyz").status(), "the proxy serves");
            assertTrue(admin("/").text().contains("<p class=\"problem\">"), "the status page says why");
        }
        List<String> warned = warnings();
        assertEquals(problems.size(), warned.size(), "one WARNING per problem: " + warned);
        for (int i = 0; i < problems.size(); i++) {
            assertTrue(warned.get(i).startsWith(named + problems.get(i) + "; the routes loaded at "), warned.get(i));
        }
        assertTrue(admin("/").text().contains("line 1: label &#39;gamma&#39; is also routed by the routes setting"));

        reload("beta  http://alpha:" + PORT + "\n");
        assertEquals("alpha", get("beta").header("X-Backend"));
        assertEquals(1, metric(SUCCESSFUL));
        assertTrue(!admin("/").text().contains("<p class=\"problem\">"), "mended");
        assertEquals(problems.size(), warnings().size(), "no WARNING more while the problem stood");
    }

    /** Counts the health checks a backend gets. */
    private static final class Checks {
        final AtomicInteger count = new AtomicInteger();

        Checks on(TestBackend backend) {
            backend.handle(r -> {
                if (r.target().equals("/health")) {
                    count.incrementAndGet();
                }
                return TestBackend.echo(r);
            });
            return this;
        }
    }

    private static boolean healthCheckThreads() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("hostproxy-health-check"));
    }

    @Test
    void healthChecksStartForANewRouteAndStopForARemovedOneAlsoWhenNoneRanAtStart() throws Exception {
        Checks alpha = new Checks().on(backends.alpha);
        Checks beta = new Checks().on(backends.beta);
        String routes = "svc  http://alpha:" + PORT + "\nother  http://beta:" + PORT + "\n";
        start(routes, "healthCheckInterval", "300ms", "healthCheckTimeout", "500ms");
        assertEquals(200, get("svc").status());
        assertEquals(200, get("other").status());
        reload(routes.replace("\n", "  healthCheckPath=/health\n"));
        Await.until(() -> alpha.count.get() >= 2 && beta.count.get() >= 2, Duration.ofSeconds(5),
                "both backends are checked, without a request");
        assertEquals(200, get("svc").status(), "a check passed: traffic");

        reload("svc  http://alpha:" + PORT + "\nother  http://beta:" + PORT + "  healthCheckPath=/health\n");
        int b = beta.count.get();
        Await.until(() -> beta.count.get() >= b + 1, Duration.ofSeconds(5), "a check of beta after the change");
        int a = alpha.count.get(); // a check of alpha under way at the change has ended by now
        int b2 = beta.count.get();
        Await.until(() -> beta.count.get() >= b2 + 3, Duration.ofSeconds(5), "three more checks of beta");
        assertEquals(a, alpha.count.get(), "alpha is no longer checked");

        reload(routes);
        Await.until(() -> !healthCheckThreads(), Duration.ofSeconds(10), "no check left: their threads end");
        assertEquals(200, get("svc").status());
    }

    private static List<String> hostproxyThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("hostproxy-")).sorted().toList();
    }

    @Test
    void noThreadIsLeftBehindByTwoHundredReloads() throws Exception {
        Checks alpha = new Checks().on(backends.alpha);
        start("svc  http://alpha:" + PORT + "\n", "routesFileCheck", "20ms", "healthCheckInterval", "300ms");
        assertEquals(200, get("svc").status());
        for (int i = 0; i < 3; i++) {
            metric(OK); // the admin port's threads start
        }
        List<String> before = hostproxyThreads();
        for (int i = 0; i < 200; i++) {
            String check = i % 2 == 0 ? "  healthCheckPath=/health" : "";
            reload("svc  http://alpha:" + PORT + "  connectTimeout=" + (100 + i) + "ms" + check + "\n");
            if (i % 20 == 0) {
                assertEquals(200, get("svc").status());
            }
        }
        assertTrue(alpha.count.get() > 0, "checks ran meanwhile");
        Await.until(() -> !healthCheckThreads(), Duration.ofSeconds(10), "the last file checks nothing");
        assertEquals(before, hostproxyThreads());
    }
}
