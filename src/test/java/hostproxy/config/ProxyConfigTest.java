package hostproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxyConfigTest {
    @Test
    void defaults() {
        ProxyConfig c = ProxyConfig.defaults();
        assertEquals("http", c.backendScheme());
        assertEquals(BackendProtocol.HTTP_1_1, c.backendProtocol());
        assertEquals("{label}", c.backendHost());
        assertEquals(8080, c.backendPort());
        assertEquals(Map.of(), c.routes());
        assertEquals(List.of("*"), c.allowedBackends());
        assertEquals(true, c.preserveHost());
        assertEquals(Duration.ofSeconds(5), c.connectTimeout());
        assertEquals(Duration.ofSeconds(60), c.responseTimeout());
        assertEquals(8081, c.adminPort());
        assertEquals("127.0.0.1", c.adminAddress().getHostAddress());
        assertEquals("", c.healthCheckPath());
        assertEquals(Duration.ofSeconds(2), c.routesFileCheck());
        assertEquals(Duration.ofSeconds(10), c.healthCheckInterval());
        assertEquals(Duration.ofSeconds(2), c.healthCheckTimeout());
        assertEquals(3, c.healthCheckFall());
        assertEquals(2, c.healthCheckRise());
        assertEquals(Duration.ofSeconds(30), c.drainTimeout());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0.0.0.0|0.0.0.0", "::|0:0:0:0:0:0:0:0", "[::1]|0:0:0:0:0:0:0:1", "10.0.0.7|10.0.0.7"})
    void theAdminAddressIsAnIpLiteral(String given, String parsed) {
        assertEquals(parsed, ProxyConfig.from(s -> s == Setting.ADMIN_ADDRESS ? given : null).adminAddress().getHostAddress());
    }

    @ParameterizedTest
    @CsvSource({"/health", "/healthz?full=1", "/a/b-c_d.e~f"})
    void aHealthCheckPathIsAnAbsolutePathWithAnOptionalQuery(String path) {
        ProxyConfig c = ProxyConfig.from(s -> s == Setting.HEALTH_CHECK_PATH ? path : null);
        assertEquals(path, c.healthCheckPath());
    }

    @ParameterizedTest
    @CsvSource({"250ms,250", "5s,5000", "2m,120000", "1h,3600000"})
    void durationsTakeAUnit(String text, long millis) {
        assertEquals(Duration.ofMillis(millis),
                ProxyConfig.from(s -> s == Setting.CONNECT_TIMEOUT ? text : null).connectTimeout());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "connectTimeout|5|expected a duration such as 250ms, 5s or 2m",
            "connectTimeout|0s|must be longer than zero",
            "responseTimeout|-1s|expected a duration such as 250ms, 5s or 2m",
            "backendPort|0|expected a whole number from 1 to 65535",
            "backendPort|http|expected a whole number from 1 to 65535",
            "preserveHost|1|expected true or false",
            "backendScheme|ftp|expected http, https, h2c (HTTP/2 without TLS, prior knowledge) or h2 (HTTP/2 over TLS)",
            "backendScheme|http2|expected http, https, h2c (HTTP/2 without TLS, prior knowledge) or h2 (HTTP/2 over TLS)",
            "routes|www|expected label=http://host:port[/base] pairs separated by commas; 'www' does not start with a valid label",
            "routes|www=frontend:3000|'frontend:3000' is not an http://, https://, h2c:// or h2:// URL with a host and no query",
            "routes|www=http://a?x=1|'http://a?x=1' is not an http://, https://, h2c:// or h2:// URL with a host and no query",
            "routes|a=http://x, a=http://y|label 'a' is routed twice",
            "routes|grpc=grpc://svc:50051|'grpc://svc:50051' is not an http://, https://, h2c:// or h2:// URL with a host and no query",
            "routes|grpc=h2c:svc|'h2c:svc' is not an http://, https://, h2c:// or h2:// URL with a host and no query",
            "allowedBackends|api.internal|expected comma-separated label patterns of letters, digits, '-', '*' and '?'",
            "maxConnectionsPerBackend|500|expected a whole number from 1 to 100000",
            "adminPort|65536|expected a whole number from 0 to 65535",
            "adminAddress|localhost|expected an IP address such as 127.0.0.1, 0.0.0.0, ::1 or ::",
            "healthCheckPath|health|expected empty (off) or a path starting with /, e.g. /health",
            "healthCheckPath|/a b|expected empty (off) or a path starting with /, e.g. /health",
            "healthCheckInterval|10|expected a duration such as 250ms, 5s or 2m",
            "healthCheckFall|0|expected a whole number from 1 to 100",
            "drainTimeout|0s|must be longer than zero"})
    void anInvalidValueIsNamedWithWhatWasExpected(String key, String value, String expected) {
        Setting setting = java.util.Arrays.stream(Setting.values()).filter(s -> s.key().equals(key)).findFirst().orElseThrow();
        Map<Setting, String> given = setting == Setting.MAX_CONNECTIONS_PER_BACKEND
                ? Map.of(setting, value, Setting.MAX_CONNECTIONS, "400") : Map.of(setting, value);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ProxyConfig.from(given::get));
        String message = setting == Setting.MAX_CONNECTIONS_PER_BACKEND
                ? "hostproxy: invalid setting maxConnections='400': must be at least maxConnectionsPerBackend (500)"
                : "hostproxy: invalid setting " + key + "='" + value + "': " + expected;
        assertEquals(message, e.getMessage());
    }

    @Test
    void routesParseToTargetsWithDefaultPortsAndBasePaths() {
        ProxyConfig c = ProxyConfig.from(s -> s == Setting.ROUTES
                ? " www=http://frontend:3000 , API=https://api-v2/base/ ,docs=http://docs:80/a/b, v6=http://[FD00::7]:81" : null);
        assertEquals(Map.of("www", new BackendTarget("http", "frontend", 3000, ""),
                "api", new BackendTarget("https", "api-v2", 443, "/base"),
                "docs", new BackendTarget("http", "docs", 80, "/a/b"),
                "v6", new BackendTarget("http", "fd00::7", 81, "")), c.routes());
    }

    /** h2c and h2 choose HTTP/2 beside the scheme: the scheme stays http or https, the default port is the scheme's. */
    @Test
    void h2cAndH2TargetsAreHttpAndHttpsReachedOverHttp2() {
        ProxyConfig c = ProxyConfig.from(s -> s == Setting.ROUTES
                ? "grpc=h2c://grpcsvc:50051, tls=H2://secure/base, plain=h2c://plain, old=http://old:81" : null);
        assertEquals(Map.of("grpc", new BackendTarget("http", "grpcsvc", 50051, "", BackendProtocol.HTTP_2),
                "tls", new BackendTarget("https", "secure", 443, "/base", BackendProtocol.HTTP_2),
                "plain", new BackendTarget("http", "plain", 80, "", BackendProtocol.HTTP_2),
                "old", new BackendTarget("http", "old", 81, "", BackendProtocol.HTTP_1_1)), c.routes());
        assertEquals("h2c://grpcsvc:50051", c.routes().get("grpc").uri(), "written back as it was given");
        assertEquals("h2://secure:443/base", c.routes().get("tls").uri());
        assertEquals("http://old:81", c.routes().get("old").uri());
    }

    @ParameterizedTest
    @CsvSource({"http,http,HTTP_1_1", "HTTPS,https,HTTP_1_1", "h2c,http,HTTP_2", "H2,https,HTTP_2"})
    void theTemplatesSchemeChoosesTheProtocolToo(String given, String scheme, BackendProtocol protocol) {
        ProxyConfig c = ProxyConfig.from(s -> s == Setting.BACKEND_SCHEME ? given : null);
        assertEquals(scheme, c.backendScheme());
        assertEquals(protocol, c.backendProtocol());
    }

    @Test
    void namesForSystemPropertiesAndEnvironmentVariables() {
        assertEquals("hostproxy.maxConnectionsPerBackend", Setting.MAX_CONNECTIONS_PER_BACKEND.systemProperty());
        assertEquals("HOSTPROXY_MAX_CONNECTIONS_PER_BACKEND", Setting.MAX_CONNECTIONS_PER_BACKEND.environmentVariable());
        assertEquals("HOSTPROXY_BACKEND_HOST", Setting.BACKEND_HOST.environmentVariable());
    }

    @Test
    void laterSourcesWinContextThenInitParamThenSystemPropertyThenEnvironment() {
        Map<String, String> context = Map.of("backendPort", "1", "backendHost", "c", "backendScheme", "https", "routes", "a=http://c");
        Map<String, String> init = Map.of("backendPort", "2", "backendHost", "i", "backendScheme", "http");
        Map<String, String> props = Map.of("hostproxy.backendPort", "3", "hostproxy.backendHost", "p");
        Map<String, String> env = Map.of("HOSTPROXY_BACKEND_PORT", "4");
        ProxyConfig c = ProxyConfig.from(SettingSources.of(context::get, init::get, props::get, env::get));
        assertEquals(4, c.backendPort());
        assertEquals("p", c.backendHost());
        assertEquals("http", c.backendScheme());
        assertEquals("c", c.routes().get("a").host());
    }
}
