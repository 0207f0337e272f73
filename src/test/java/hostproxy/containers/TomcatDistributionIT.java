package hostproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.containers.dist.ServerProcess;
import hostproxy.containers.dist.TomcatDistribution;
import hostproxy.it.support.Backends;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The steps of docs/containers.md, "Tomcat 10.1 / 11 (a stock distribution)" on a stock
 * distribution: the Tomcat 11 zip as a user unzips it (stock
 * {@code ROOT}, {@code manager}, {@code host-manager}, {@code docs}, {@code examples} included),
 * set up as those steps say, started with {@code bin/catalina.sh run} on the test's JDK (17 here:
 * {@code conf/tomcat/server.xml} must serve on it) on a free loopback port. Settings come as
 * {@code HOSTPROXY_*} variables, as a user would give them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TomcatDistributionIT {
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    private Backends backends;
    private ServerProcess tomcat;

    private final int adminPort = hostproxy.it.support.FreePorts.freeOn("127.0.0.1");

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeFalse(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows"),
                "catalina.sh: the Linux steps run on a Unix-like system only");
        TomcatDistribution dist = TomcatDistribution.unzipped(ROOT.resolve("target/tomcat-stock"));
        dist.setUpAsTheReadmeSays(Path.of(System.getProperty("it.hostproxy.war")));
        assertTrue(Files.isExecutable(dist.home().resolve("bin/catalina.sh")));

        backends = Backends.start();
        tomcat = dist.start(Path.of(System.getProperty("java.home")), ServerProcess.freeLoopbackPort(),
                List.of("-Djdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file")),
                Map.of("HOSTPROXY_BACKEND_PORT", Integer.toString(Backends.PORT),
                        "HOSTPROXY_ALLOWED_BACKENDS", "alpha,beta,nosuch*",
                        "HOSTPROXY_BACKEND_NETWORKS", "127.0.0.0/8", // the backends are on loopback
                        "HOSTPROXY_DNS_SERVERS", ContainerSuite.DNS.server(), // no lookup leaves the machine
                        "HOSTPROXY_ADMIN_PORT", Integer.toString(adminPort), // a free port, not 8081
                        "HOSTPROXY_BACKEND_PROT", "9")); // a typo, reported and ignored
        tomcat.await(ServerProcess::isHostproxy, Duration.ofSeconds(90), "serving hostproxy");
    }

    @AfterAll
    void stop() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
        if (backends != null) {
            backends.close();
        }
    }

    @BeforeEach
    void reset() {
        backends.reset();
    }

    private RawResponse get(String target, String host) throws Exception {
        return RawClient.exchange(tomcat.port(), "GET " + target + " HTTP/1.1\nHost: " + host + "\nConnection: close");
    }

    @Test
    void theFirstLabelOfTheHostNamesTheBackend() throws Exception {
        assertEquals("alpha", get("/", "alpha.example.com").header("X-Backend"));
        assertEquals("beta", get("/", "beta.example.com").header("X-Backend"));
    }

    /** The admin port runs on the real distribution too. */
    @Test
    void theAdminPortAnswers() throws Exception {
        RawResponse health = RawClient.exchange(adminPort, "GET /healthz HTTP/1.1\nHost: admin\nConnection: close");
        assertEquals(200, health.status());
        assertEquals("ok\n", health.text());
    }

    /** The stock applications were removed: their paths are proxied like any other. */
    @ParameterizedTest
    @ValueSource(strings = {"/manager/html", "/manager/status", "/host-manager/html", "/docs/", "/examples/", "/index.jsp"})
    void noStockApplicationAnswers(String target) throws Exception {
        RawResponse r = get(target, "alpha.example.com");
        assertEquals("alpha", r.header("X-Backend"), target + " " + r.status());
        assertEquals(target, backends.alpha.takeRequest().target());
    }

    /** {@code %2F} and {@code %25} pass with {@code conf/tomcat/server.xml}'s connector. */
    @ParameterizedTest
    @ValueSource(strings = {"/a%2Fb/c", "/%25/x%2541", "/..%2F..%2Fetc", "/caf%C3%A9?x=%2F&q=a+b"})
    void pathAndQueryArriveByteForByte(String target) throws Exception {
        assertEquals(200, get(target, "alpha").status(), target);
        assertEquals(target, backends.alpha.takeRequest().target());
    }

    @Test
    void theBackendsServerHeaderIsTheOneTheClientSees() throws Exception {
        backends.alpha.handle(req -> Reply.text(200, "ok", "Server: backend/1.0"));
        RawResponse r = get("/", "alpha");
        assertEquals(List.of("backend/1.0"), r.headers("Server"));
        assertEquals(1, r.headers("Date").size());
    }

    /** HTTP/2 over cleartext with conf/tomcat/server.xml's UpgradeProtocol: the JDK's client upgrades, then streams. */
    @Test
    void http2ClientsAreServed() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 2; i++) { // the first request upgrades the connection, the second is a stream
            HttpResponse<String> r = client.send(HttpRequest
                    .newBuilder(URI.create("http://alpha.proxy.test:" + tomcat.port() + "/h2?n=" + i))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals("/h2?n=" + i, backends.alpha.takeRequest().target());
        }
    }

    @Test
    void settingsComeFromTheEnvironment() throws Exception {
        assertEquals(404, get("/", "gamma.example.com").status());
        RawResponse r = get("/", "nosuchservice.example.com");
        assertEquals(502, r.status());
        assertEquals("no backend named nosuchservice\n", r.text());
    }

    /** Issue 23: a mistyped setting changes nothing and is named on the console, once, with the setting meant. */
    @Test
    void aMistypedEnvironmentVariableIsNamedOnTheConsole() throws Exception {
        RawResponse r = get("/", "alpha.example.com");
        assertEquals("alpha", r.header("X-Backend"), "HOSTPROXY_BACKEND_PORT still applies: " + r.text());
        List<String> lines = tomcat.logText().lines().filter(l -> l.contains("HOSTPROXY_BACKEND_PROT")).toList();
        assertEquals(1, lines.size(), tomcat.logText());
        assertTrue(lines.get(0).contains("WARNING") && lines.get(0).endsWith("hostproxy: environment variable "
                + "HOSTPROXY_BACKEND_PROT is not a setting and is ignored; did you mean HOSTPROXY_BACKEND_PORT?"),
                lines.get(0));
    }
}
