package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hostproxy.it.support.Backends;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.RecordedRequest;
import hostproxy.it.support.TestBackend;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue point 3 over real sockets: the first label of the Host picks the backend. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingIT {
    private Backends backends;
    private ProxyServer proxy;

    @BeforeAll
    void start() throws Exception {
        backends = Backends.start();
        proxy = ProxyServer.start(Map.of(
                "backendPort", Integer.toString(Backends.PORT),
                "allowedBackends", "alpha, beta, gam*",
                "routes", "www=http://beta:" + Backends.PORT + "/base/, localhost=http://alpha:" + Backends.PORT
                        + ", byaddress=http://127.0.0.13:" + Backends.PORT + ", byv6=http://[::1]:" + Backends.PORT));
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        backends.close();
    }

    private int served;

    @BeforeEach
    void reset() {
        backends.reset();
        served = backends.alpha.requestCount() + backends.beta.requestCount() + backends.gamma.requestCount();
    }

    private RawResponse get(String target, String host) throws Exception {
        return RawClient.exchange(proxy.port(), "GET " + target + " HTTP/1.1\nHost: " + host + "\nConnection: close");
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

    @Test
    void localhostIsReachedOnlyThroughARouteThatNamesIt() throws Exception {
        assertEquals("alpha", get("/", "localhost:8080").header("X-Backend"));
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

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:8080", "10.0.0.1", "[::1]:8080"})
    void anIpLiteralIsABadRequestWithAOneLineReason(String host) throws Exception {
        RawResponse r = get("/", host);
        assertEquals(400, r.status(), host);
        assertEquals("Host is an IP address; name a service instead\n", r.text());
        assertEquals(0, backends.alpha.requestCount() + backends.beta.requestCount() + backends.gamma.requestCount()
                - served, host);
    }

    /**
     * Container difference: Tomcat validates the Host itself and answers these with its own 400 page
     * before the application runs; on other containers the router gives the reason. Either way
     * nothing is forwarded.
     */
    @ParameterizedTest
    @ValueSource(strings = {"al_pha.example.com", "-alpha.example.com", ".example.com", "alpha..com", "alpha/x",
            "alpha example"})
    void anInvalidHostNameIsABadRequestAndNeverForwarded(String host) throws Exception {
        RawResponse r = get("/", host);
        assertEquals(400, r.status(), host);
        assertEquals(0, backends.alpha.requestCount() + backends.beta.requestCount() + backends.gamma.requestCount()
                - served, host);
    }

    @Test
    void aRequestWithoutHostIsABadRequest() throws Exception {
        RawResponse r = RawClient.exchange(proxy.port(), "GET / HTTP/1.0");
        assertEquals(400, r.status());
        assertEquals("missing Host header\n", r.text());
    }

    @Test
    void severalHostHeadersAreABadRequest() throws Exception {
        // Tomcat refuses these itself before the application sees them; the router would too.
        RawResponse r = RawClient.exchange(proxy.port(),
                "GET / HTTP/1.1\nHost: alpha.example.com\nHost: beta.example.com\nConnection: close");
        assertEquals(400, r.status());
    }

    @Test
    void aRequestCarryingOurOwnViaIsALoop() throws Exception {
        RawResponse first = get("/", "alpha");
        RecordedRequest seen = backends.alpha.takeRequest();
        String via = seen.header("Via");
        assertEquals(200, first.status());
        RawResponse loop = RawClient.exchange(proxy.port(),
                "GET / HTTP/1.1\nHost: alpha\nVia: " + via + "\nConnection: close");
        assertEquals(508, loop.status());
        RawResponse otherProxy = RawClient.exchange(proxy.port(),
                "GET / HTTP/1.1\nHost: alpha\nVia: 1.1 hostproxy-00000000\nConnection: close");
        assertEquals(200, otherProxy.status());
    }
}
