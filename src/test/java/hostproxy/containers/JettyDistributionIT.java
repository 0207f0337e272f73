package hostproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hostproxy.containers.dist.JettyDistribution;
import hostproxy.containers.dist.ServerProcess;
import hostproxy.it.support.Backends;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Jetty steps of docs/containers.md in their order: a fresh {@code $JETTY_BASE}, {@code conf/jetty} and the
 * WAR copied in, then {@code java -jar start.jar} (no deployment scan: what is in {@code webapps/}
 * at start is deployed once). Settings as {@code HOSTPROXY_*} variables. The scenarios of the
 * suite run on the same distribution in the {@code container-jetty12} execution.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JettyDistributionIT {
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    private Backends backends;
    private ServerProcess jetty;

    private final int adminPort = hostproxy.it.support.FreePorts.freeOn("127.0.0.1");

    @BeforeAll
    void start() throws Exception {
        JettyDistribution base = JettyDistribution.newBase(ROOT.resolve("target/jetty-base-readme"));
        base.deploy(Path.of(System.getProperty("it.hostproxy.war")), null);
        backends = Backends.start();
        jetty = base.start(ServerProcess.freeLoopbackPort(),
                List.of("-Djdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file")),
                Map.of("HOSTPROXY_BACKEND_PORT", Integer.toString(Backends.PORT),
                        "HOSTPROXY_ALLOWED_BACKENDS", "alpha,beta,nosuch*",
                        "HOSTPROXY_BACKEND_NETWORKS", "127.0.0.0/8", // the backends are on loopback
                        "HOSTPROXY_DNS_SERVERS", ContainerSuite.DNS.server(), // no lookup leaves the machine
                        "HOSTPROXY_ADMIN_PORT", Integer.toString(adminPort))); // a free port, not 8081
        jetty.await(ServerProcess::isHostproxy, Duration.ofSeconds(60), "serving hostproxy");
    }

    @AfterAll
    void stop() throws Exception {
        if (jetty != null) {
            jetty.close();
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
        return RawClient.exchange(jetty.port(), "GET " + target + " HTTP/1.1\nHost: " + host + "\nConnection: close");
    }

    /** The admin port runs on the real distribution too. */
    @Test
    void theAdminPortAnswers() throws Exception {
        RawResponse health = RawClient.exchange(adminPort, "GET /healthz HTTP/1.1\nHost: admin\nConnection: close");
        assertEquals(200, health.status());
        assertEquals("ok\n", health.text());
    }

    /** ROOT.xml and ROOT.war are one application: hostproxy starts once, at "/". */
    @Test
    void hostproxyIsDeployedOnceAtTheRoot() throws Exception {
        Matcher started = Pattern.compile("hostproxy started \\(").matcher(jetty.logText());
        int count = 0;
        while (started.find()) {
            count++;
        }
        assertEquals(1, count, jetty.logText());
        RawResponse r = get("/hostproxy/x", "alpha.example.com");
        assertEquals("alpha", r.header("X-Backend"));
        assertEquals("/hostproxy/x", backends.alpha.takeRequest().target());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%2Fb/c", "/%25/x%2541", "/..%2F..%2Fetc", "/a//b", "/caf%C3%A9?x=%2F&q=a+b"})
    void pathAndQueryArriveByteForByte(String target) throws Exception {
        assertEquals(200, get(target, "alpha").status(), target);
        assertEquals(target, backends.alpha.takeRequest().target());
    }

    @Test
    void settingsComeFromTheEnvironment() throws Exception {
        assertEquals("beta", get("/", "beta.example.com").header("X-Backend"));
        assertEquals(404, get("/", "gamma.example.com").status());
        RawResponse r = get("/", "nosuchservice.example.com");
        assertEquals(502, r.status());
        assertEquals("no backend named nosuchservice\n", r.text());
    }
}
