package hostproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hostproxy.containers.ContainerSuite.Container;
import hostproxy.it.support.Backends;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.TestBackend;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Routing by the Host's first label, on every container of the matrix. */
@RunAsClient
class RoutingCT extends ContainerScenario {
    /** A label whose name DNS gives the IPv6 loopback only (the suite's backendNetworks leaves it out). */
    static final String V6_ONLY = "sixonly";
    private int served;

    @BeforeEach
    void countServed() {
        served = served();
    }

    private static int served() {
        return backends.alpha.requestCount() + backends.beta.requestCount() + backends.gamma.requestCount();
    }

    private static RawResponse get(String target, String host) throws Exception {
        return RawClient.exchange(ContainerSuite.port(), "GET " + target + " HTTP/1.1\nHost: " + host + "\nConnection: close");
    }

    @Test
    void theFirstLabelOfTheHostNamesTheBackend() throws Exception {
        assertEquals("alpha", get("/", "alpha.example.com").header("X-Backend"));
        assertEquals("beta", get("/", "beta.example.com").header("X-Backend"));
        assertEquals("gamma", get("/", "gamma").header("X-Backend"));
    }

    @Test
    void portCaseAndATrailingDotDoNotMatter() throws Exception {
        assertEquals("alpha", get("/", "ALPHA.Example.COM:8443").header("X-Backend"));
        assertEquals("beta", get("/", "beta.example.com.").header("X-Backend"));
    }

    @Test
    void aRouteMayNameItsBackendByIpAddress() throws Exception {
        assertEquals("gamma", get("/", "byaddress.example.com").header("X-Backend"));
    }

    @Test
    void aRouteMayNameItsBackendByIpv6Address() throws Exception {
        try (TestBackend v6 = TestBackend.start("v6", "::1", Backends.PORT)) {
            RawResponse r = get("/six", "byv6.example.com");
            assertEquals("v6", r.header("X-Backend"), r.text());
        }
    }

    /**
     * A name the template builds that DNS points outside {@code backendNetworks} (the suite allows
     * 127.0.0.0/8 only, so the IPv6 loopback stands for any address outside): never connected to,
     * while the route {@code byv6} reaches that very address.
     */
    @Test
    void aNameResolvingOutsideBackendNetworksGets502AndItsAddressNotOneConnection() throws Exception {
        ContainerSuite.DNS.set(V6_ONLY, "::1");
        try (TestBackend v6 = TestBackend.start("v6", "::1", Backends.PORT)) {
            RawResponse r = get("/guarded", V6_ONLY + ".example.com");
            assertEquals(502, r.status(), r.text());
            assertEquals("backend " + V6_ONLY + " resolves only to 0:0:0:0:0:0:0:1 (loopback), which backendNetworks "
                    + "(127.0.0.0/8) does not allow\n", r.text());
            assertEquals("v6", get("/six", "byv6.example.com").header("X-Backend"), "a route is not checked");
            assertEquals(1, v6.acceptedConnections(), "the route's connection only");
        }
    }

    @Test
    void pathAndQueryArePreserved() throws Exception {
        RawResponse r = get("/v1/users?id=7&name=a+b", "alpha.example.com");
        assertEquals(200, r.status());
        assertEquals("/v1/users?id=7&name=a+b", backends.alpha.takeRequest().target());
    }

    @Test
    void anAbsoluteFormTargetIsRoutedByItsAuthority() throws Exception {
        RawResponse r = get("http://beta.example.com/abs?q=1", "beta.example.com");
        assertEquals("beta", r.header("X-Backend"));
        assertEquals("/abs?q=1", backends.beta.takeRequest().target());
    }

    @Test
    void anExplicitRouteWinsAndPrefixesItsBasePath() throws Exception {
        RawResponse r = get("/v1/users?id=7", "www.example.com");
        assertEquals(200, r.status());
        assertEquals("beta", r.header("X-Backend"));
        assertEquals("/base/v1/users?id=7", backends.beta.takeRequest().target());
    }

    @Test
    void aLabelOutsideTheAllowListIsNotFound() throws Exception {
        RawResponse r = get("/", "delta.example.com");
        assertEquals(404, r.status());
        assertEquals("no service for this host\n", r.text());
    }

    @Test
    void everyPathIsProxiedEvenThoseAContainerWouldMapToJsp() throws Exception {
        RawResponse r = get("/x/index.jsp", "alpha");
        assertEquals("alpha", r.header("X-Backend"));
        assertEquals("/x/index.jsp", backends.alpha.takeRequest().target());
    }

    /**
     * hostproxy is the one application, at "/": no path of any host is left to another one (the
     * WAR's own name, a distribution's stock applications, Cargo's ping application).
     */
    @ParameterizedTest
    @ValueSource(strings = {"/hostproxy/x", "/ROOT/x", "/manager/html", "/host-manager/html", "/docs/", "/examples/",
            "/cargocpc/index.html", "/demo-backend/"})
    void everyPathOfEveryHostIsProxied(String target) throws Exception {
        RawResponse r = get(target, "alpha.example.com");
        assertEquals("alpha", r.header("X-Backend"), target);
        assertEquals(target, backends.alpha.takeRequest().target());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:8080", "10.0.0.1", "[::1]:8080"})
    void anIpLiteralIsABadRequestWithAOneLineReason(String host) throws Exception {
        RawResponse r = get("/", host);
        assertEquals(400, r.status(), host);
        assertEquals("Host is an IP address; name a service instead\n", r.text());
        assertEquals(0, served() - served, host);
    }

    /**
     * Container difference (Host validation): Tomcat validates the Host itself and answers these
     * with its own 400 page before the application runs; Jetty and WildFly (Undertow) pass some of
     * them on and hostproxy's router gives the reason. Either way: 400, and nothing is forwarded.
     */
    @ParameterizedTest
    @ValueSource(strings = {"al_pha.example.com", "-alpha.example.com", ".example.com", "alpha..com", "alpha/x",
            "alpha example"})
    void anInvalidHostNameIsABadRequestAndNeverForwarded(String host) throws Exception {
        RawResponse r = get("/", host);
        assertEquals(400, r.status(), host);
        assertEquals(0, served() - served, host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"alpha:0", "alpha:65536", "alpha:99999"})
    void aPortOutsideOneTo65535IsABadRequestAndNeverForwarded(String host) throws Exception {
        RawResponse r = get("/", host);
        assertEquals(400, r.status(), host);
        assertEquals(0, served() - served, host);
    }

    /**
     * An HTTP/0.9 request has no version, no headers and gets an answer without status line: it is
     * never relayed, even with an absolute-form target naming a backend. (How the container answers
     * it is its own business: Tomcat writes hostproxy's 400 body alone, Jetty and Undertow refuse it.)
     */
    @Test
    void anHttp09RequestIsNeverRelayed() throws Exception {
        try (RawClient c = new RawClient(ContainerSuite.port())) {
            c.sendRaw("GET http://alpha/x\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            c.input().readAllBytes(); // until the container closes the connection
        } catch (java.net.SocketException reset) {
            // a container may reset it instead
        }
        assertEquals(0, served() - served);
    }

    /**
     * Container difference (missing Host): Tomcat and Jetty hand an HTTP/1.0 request without Host to
     * the application as it is (hostproxy: {@code 400 missing Host header}); WildFly (Undertow)
     * fills in its own host name, {@code localhost}, which hostproxy refuses unless a route names
     * it ({@code 404}). Either way nothing is forwarded.
     */
    @Test
    void aRequestWithoutHostIsRefusedAndNeverForwarded() throws Exception {
        RawResponse r = RawClient.exchange(ContainerSuite.port(), "GET / HTTP/1.0");
        if (ContainerSuite.container() == Container.WILDFLY) {
            assertEquals(404, r.status());
            assertEquals("no service for this host\n", r.text());
        } else {
            assertEquals(400, r.status());
            assertEquals("missing Host header\n", r.text());
        }
        assertEquals(0, served() - served);
    }

    @Test
    void severalHostHeadersAreABadRequest() throws Exception {
        RawResponse r = RawClient.exchange(ContainerSuite.port(),
                "GET / HTTP/1.1\nHost: alpha.example.com\nHost: beta.example.com\nConnection: close");
        assertEquals(400, r.status());
        assertEquals(0, served() - served);
    }

    @Test
    void aRequestCarryingOurOwnViaIsALoop() throws Exception {
        assertEquals(200, get("/", "alpha").status());
        String via = backends.alpha.takeRequest().header("Via");
        RawResponse loop = RawClient.exchange(ContainerSuite.port(),
                "GET / HTTP/1.1\nHost: alpha\nVia: " + via + "\nConnection: close");
        assertEquals(508, loop.status());
    }
}
