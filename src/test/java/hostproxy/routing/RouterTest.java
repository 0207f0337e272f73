package hostproxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hostproxy.config.BackendProtocol;
import hostproxy.config.BackendTarget;
import hostproxy.config.ProxyConfig;
import hostproxy.config.RouteOption;
import hostproxy.config.RouteOptions;
import hostproxy.config.RouteTable;
import hostproxy.config.Setting;
import hostproxy.config.StickyMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouterTest {
    private static final LoopGuard GUARD = new LoopGuard("hostproxy-0badc0de");

    private static Router router(Map<Setting, String> settings) {
        ProxyConfig config = ProxyConfig.from(settings::get);
        return new Router(config, GUARD, config::initialRoutes);
    }

    private static RoutingDecision route(Router router, String... hosts) {
        return router.route(new RequestHead(List.of(hosts), null, List.of()));
    }

    private static final Router DEFAULT = router(Map.of());

    @ParameterizedTest
    @CsvSource({"myapp.example.com,myapp", "api.example.com:8443,api", "SERVICE,service", "Api.Example.Com.,api",
            "a,a", "x-1.y,x-1", "123.example.com,123", "a234567890123456789012345678901234567890123456789012345678901bc.d,"
                    + "a234567890123456789012345678901234567890123456789012345678901bc"})
    void theFirstLabelNamesTheBackendOnTheDefaultPort(String host, String label) {
        assertEquals(new Route(label, new BackendTarget("http", label, 8080, ""), RouteOptions.NONE),
                route(DEFAULT, host));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1|Host is an IP address; name a service instead",
            "10.1.2.3:80|Host is an IP address; name a service instead",
            "[::1]|Host is an IP address; name a service instead",
            "[2001:db8::1]:8080|Host is an IP address; name a service instead",
            "my_app.example.com|invalid host name in Host header",
            "-app.example.com|invalid host name in Host header",
            "app-.example.com|invalid host name in Host header",
            ".example.com|invalid host name in Host header",
            "app..example.com|invalid host name in Host header",
            "user@app.example.com|invalid host name in Host header",
            "a234567890123456789012345678901234567890123456789012345678901234.x|invalid host name in Host header",
            "app.example.com:http|invalid port in Host header",
            "app.example.com:123456|invalid port in Host header",
            "caf\u00e9.example.com|invalid host name in Host header"})
    void badHostsAreRejectedWithAOneLineReason(String host, String reason) {
        assertEquals(new Rejection(400, reason), route(DEFAULT, host));
    }

    @Test
    void missingEmptyAndRepeatedHostsAreBadRequests() {
        assertEquals(new Rejection(400, "missing Host header"), route(DEFAULT));
        assertEquals(new Rejection(400, "empty Host header"), route(DEFAULT, ""));
        assertEquals(new Rejection(400, "several Host headers"), route(DEFAULT, "a.example.com", "b.example.com"));
    }

    @Test
    void anAbsoluteFormAuthorityWinsOverTheHostHeader() {
        RoutingDecision d = DEFAULT.route(new RequestHead(List.of("a.example.com"), "b.example.com:80", List.of()));
        assertEquals("b", ((Route) d).label());
    }

    @Test
    void anHttp2AuthorityIsTheAuthorityAndAHostNamingAnotherHostIsABadRequest() {
        assertEquals("b", ((Route) DEFAULT.route(new RequestHead(List.of(), null, List.of(), "b.example.com"))).label());
        assertEquals("b", ((Route) DEFAULT.route(new RequestHead(List.of("B.example.com:8000"), null, List.of(),
                "b.example.com:8000"))).label());
        assertEquals("b", ((Route) DEFAULT.route(new RequestHead(List.of("b.example.com:443"), null, List.of(),
                "b.example.com"))).label());
        assertEquals(new Rejection(400, "Host header disagrees with :authority"),
                DEFAULT.route(new RequestHead(List.of("a.example.com"), null, List.of(), "b.example.com")));
        assertEquals(new Rejection(400, "Host header disagrees with :authority"),
                DEFAULT.route(new RequestHead(List.of("b.example.com:81"), null, List.of(), "b.example.com:80")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alpha:0", "alpha:65536", "alpha:99999", "alpha:-1", "alpha:8o"})
    void aPortOutsideOneTo65535IsABadRequest(String host) {
        assertEquals(new Rejection(400, "invalid port in Host header"), route(DEFAULT, host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alpha:1", "alpha:65535", "alpha:", "alpha:08080"})
    void aPortFromOneTo65535IsAccepted(String host) {
        assertEquals("alpha", ((Route) route(DEFAULT, host)).label());
    }

    @Test
    void theTemplateSchemeAndPortBuildTheBackend() {
        Router r = router(Map.of(Setting.BACKEND_HOST, "tasks.{label}", Setting.BACKEND_PORT, "9000",
                Setting.BACKEND_SCHEME, "https"));
        assertEquals(new Route("api", new BackendTarget("https", "tasks.api", 9000, ""), RouteOptions.NONE),
                route(r, "api.example.com"));
    }

    @Test
    void theTemplateReachesItsBackendsOverHttp2WithBackendSchemeH2c() {
        Router r = router(Map.of(Setting.BACKEND_SCHEME, "h2c"));
        assertEquals(new Route("api", new BackendTarget("http", "api", 8080, "", BackendProtocol.HTTP_2), RouteOptions.NONE),
                route(r, "api.example.com"));
    }

    @Test
    void explicitRoutesWinOverTheTemplateAndKeepTheirBasePath() {
        Router r = router(Map.of(Setting.ROUTES, "www=http://frontend:3000, api=http://api-v2:9000/base/",
                Setting.ALLOWED_BACKENDS, "nothing"));
        assertEquals(new Route("www", new BackendTarget("http", "frontend", 3000, ""), RouteOptions.NONE),
                route(r, "www.example.com"));
        assertEquals(new Route("api", new BackendTarget("http", "api-v2", 9000, "/base"), RouteOptions.NONE),
                route(r, "api.example.com"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"db", "admin", "x"})
    void labelsOutsideTheAllowListAreNotFound(String label) {
        Router r = router(Map.of(Setting.ALLOWED_BACKENDS, "web-*, api, ap?"));
        assertEquals(new Rejection(404, "no service for this host"), route(r, label + ".example.com"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"web-1", "web-a1", "api", "apx"})
    void labelsMatchingAnAllowedGlobAreRouted(String label) {
        Router r = router(Map.of(Setting.ALLOWED_BACKENDS, "web-*, api, ap?"));
        assertEquals(label, ((Route) route(r, label + ".example.com")).label());
    }

    @Test
    void localhostIsRefusedUnlessARouteNamesIt() {
        assertEquals(new Rejection(404, "no service for this host"), route(DEFAULT, "localhost:8080"));
        assertEquals(new Rejection(404, "no service for this host"), route(DEFAULT, "localhost.example.com"));
        Router routed = router(Map.of(Setting.ROUTES, "localhost=http://demo:8080"));
        assertEquals("demo", ((Route) route(routed, "localhost")).backendName());
    }

    @Test
    void everyLineOfTheRoutesFileIsAnAllowanceAndItsRouteCarriesItsOptions(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("routes"), "reports  -  responseTimeout=5m\nlocalhost  -\n"
                + "shop  http://shop-v2:8080  sticky=cookie\n");
        Router r = router(Map.of(Setting.ALLOWED_BACKENDS, "web-*", Setting.ROUTES_FILE, file.toString()));
        Route reports = (Route) route(r, "reports.example.com");
        assertEquals(new BackendTarget("http", "reports", 8080, ""), reports.target(), "the template's backend");
        assertEquals(Duration.ofMinutes(5), reports.options().get(RouteOption.RESPONSE_TIMEOUT, null));
        assertEquals("localhost", ((Route) route(r, "localhost")).backendName(), "a line names it");
        assertEquals(StickyMode.COOKIE, ((Route) route(r, "shop")).options().get(RouteOption.STICKY, StickyMode.OFF));
        assertEquals(RouteOptions.NONE, ((Route) route(r, "web-1")).options(), "allowedBackends, without a line");
        assertEquals(new Rejection(404, "no service for this host"), route(r, "db.example.com"),
                "allowedBackends decides for labels without a line");
    }

    @Test
    void eachRequestIsRoutedByTheTableInForceWhenItArrives() {
        RouteTable v1 = ProxyConfig.from(s -> s == Setting.ROUTES ? "api=http://api-v1:80" : null).initialRoutes();
        RouteTable v2 = ProxyConfig.from(s -> s == Setting.ROUTES ? "api=http://api-v2:80" : null).initialRoutes();
        AtomicReference<RouteTable> inForce = new AtomicReference<>(v1);
        Router r = new Router(ProxyConfig.defaults(), GUARD, inForce::get);
        Route before = (Route) route(r, "api");
        inForce.set(v2);
        assertEquals("api-v2", ((Route) route(r, "api")).backendName());
        assertEquals("api-v1", before.backendName(), "a route taken keeps its target");
    }

    @Test
    void aRequestCarryingThisInstancesViaTokenIsALoop() {
        RequestHead looped = new RequestHead(List.of("a"), null, List.of("1.0 edge, 1.1 hostproxy-0BADC0DE (x)"));
        assertEquals(508, ((Rejection) DEFAULT.route(looped)).status());
        RequestHead other = new RequestHead(List.of("a"), null, List.of("1.1 hostproxy-12345678", "1.1 hostproxy-0badc0dee"));
        assertEquals("a", ((Route) DEFAULT.route(other)).label());
    }
}
