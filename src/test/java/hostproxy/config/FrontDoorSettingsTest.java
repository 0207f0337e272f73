package hostproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrontDoorSettingsTest {
    private static ProxyConfig with(Setting setting, String value) {
        return ProxyConfig.from(s -> s == setting ? value : null);
    }

    @ParameterizedTest
    @CsvSource({"unlimited,-1", "0,0", "65536,65536", "512KB,524288", "10MB,10485760", "1gb,1073741824", "100B,100"})
    void sizes(String text, long bytes) {
        assertEquals(bytes, with(Setting.MAX_BODY_SIZE, text).maxBodySize());
    }

    @Test
    void cidrsMatchTheirAddressesOnly() throws Exception {
        List<Cidr> blocks = with(Setting.ALLOWED_CLIENTS, "10.0.0.0/8, 192.0.2.7,fd00::/8").allowedClients();
        for (String in : List.of("10.255.1.2", "192.0.2.7", "fd00::1", "::ffff:10.0.0.1")) {
            assertTrue(Cidr.anyContains(blocks, InetAddress.getByName(in)), in);
        }
        for (String out : List.of("11.0.0.1", "192.0.2.8", "fe00::1", "127.0.0.77")) {
            assertTrue(!Cidr.anyContains(blocks, InetAddress.getByName(out)), out);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "maxBodySize|10 MB|expected unlimited, or a size such as 65536, 512KB, 10MB or 1GB",
            "allowedClients|10.0.0.0/33|expected comma-separated IP addresses or CIDR blocks, e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8; '10.0.0.0/33' is neither",
            "trustedProxies|lb.internal|expected comma-separated IP addresses or CIDR blocks, e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8; 'lb.internal' is neither",
            // never looked up in DNS, never read as Java would (177.0.0.1) or as C resolvers would (octal: 127.0.0.1)
            "trustedProxies|999.1.1.1|expected comma-separated IP addresses or CIDR blocks, e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8; '999.1.1.1' is neither",
            "trustedProxies|0177.0.0.1|expected comma-separated IP addresses or CIDR blocks, e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8; '0177.0.0.1' is neither",
            "allowedClients|10.0.0.010/32|expected comma-separated IP addresses or CIDR blocks, e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8; '10.0.0.010/32' is neither",
            "sticky|yes|expected off or cookie",
            "stickyCookie|a b|expected a cookie name: letters, digits and - . _ (an RFC 6265 token)",
            "rewriteRedirects|on|expected true or false",
            "errorPages|/no/such/folder|expected an existing folder",
            "routesFile|/no/such/file|cannot read it (java.nio.file.NoSuchFileException: /no/such/file)"})
    void anInvalidValueIsNamedWithWhatWasExpected(String key, String value, String expected) {
        Setting setting = java.util.Arrays.stream(Setting.values()).filter(s -> s.key().equals(key)).findFirst().orElseThrow();
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> with(setting, value));
        assertEquals("hostproxy: invalid setting " + key + "='" + value + "': " + expected, e.getMessage());
    }

    @Test
    void aShortSecretIsRefusedWithoutShowingIt() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> with(Setting.STICKY_SECRET, "short"));
        assertEquals("hostproxy: invalid setting stickySecret='(hidden)': expected at least 16 characters "
                + "(e.g. openssl rand -base64 32)", e.getMessage());
        assertTrue(!with(Setting.STICKY_SECRET, "a-secret-of-16-chars").toString().contains("a-secret"));
    }

    private static final String FILE = """
            # label   target                    options
            www       http://frontend:3000
            api       http://api-v2:9000/base   sticky=cookie maxBodySize=10MB allowedClients=10.0.0.0/8,192.168.0.0/16
            reports   -                         responseTimeout=5m healthCheckPath=/healthz   # template backend
            """;

    @Test
    void theRoutesFileGivesTargetsAndOptions(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("routes"), FILE);
        ProxyConfig c = ProxyConfig.from(s -> s == Setting.ROUTES_FILE ? file.toString()
                : s == Setting.ROUTES ? "docs=http://docs:80" : null);
        RouteTable routes = c.initialRoutes();
        assertEquals(Map.of("www", new BackendTarget("http", "frontend", 3000, ""),
                "api", new BackendTarget("http", "api-v2", 9000, "/base"),
                "docs", new BackendTarget("http", "docs", 80, "")), routes.targets());
        assertEquals(Map.of("docs", new BackendTarget("http", "docs", 80, "")), c.routes(), "the routes setting alone");
        RouteOptions api = routes.optionsFor("api");
        assertEquals(StickyMode.COOKIE, api.get(RouteOption.STICKY, StickyMode.OFF));
        assertEquals(10L << 20, (long) api.get(RouteOption.MAX_BODY_SIZE, -1L));
        assertEquals(2, api.<List<Cidr>>get(RouteOption.ALLOWED_CLIENTS, List.of()).size());
        assertEquals(Duration.ofSeconds(60), api.get(RouteOption.RESPONSE_TIMEOUT, Duration.ofSeconds(60)), "not given: global");
        assertEquals(Duration.ofMinutes(5), routes.optionsFor("reports").get(RouteOption.RESPONSE_TIMEOUT, null));
        assertEquals("/healthz", routes.optionsFor("reports").get(RouteOption.HEALTH_CHECK_PATH, null));
        assertEquals(RouteOptions.NONE, routes.optionsFor("www"));
        assertTrue(routes.target("reports") == null, "'-' keeps the template's backend");
        assertTrue(routes.hasLine("reports") && routes.hasLine("www") && !routes.hasLine("docs"));
    }

    @Test
    void aRoutesFileLineReachesItsTargetOverHttp2ByH2cOrH2(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("routes"), """
                grpcsvc   h2c://grpcsvc:50051   responseTimeout=10m
                secure    h2://secure:8443
                """);
        RouteTable routes = with(Setting.ROUTES_FILE, file.toString()).initialRoutes();
        assertEquals(Map.of("grpcsvc", new BackendTarget("http", "grpcsvc", 50051, "", BackendProtocol.HTTP_2),
                "secure", new BackendTarget("https", "secure", 8443, "", BackendProtocol.HTTP_2)), routes.targets());
        assertEquals(List.of("h2c://grpcsvc:50051", "h2://secure:8443"),
                routes.listed().stream().map(RouteTable.Listed::target).toList(), "listed as written");
    }

    /** As Notepad and PowerShell 5.1 save it: a UTF-8 byte-order mark first, CRLF line ends. */
    @Test
    void aRoutesFileSavedOnWindowsReadsAsAnyOther(@TempDir Path dir) throws Exception {
        Path plain = Files.writeString(dir.resolve("plain"), FILE);
        Path windows = Files.write(dir.resolve("windows"),
                ("\uFEFF" + FILE.replace("\n", "\r\n")).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ProxyConfig fromPlain = with(Setting.ROUTES_FILE, plain.toString());
        ProxyConfig fromWindows = with(Setting.ROUTES_FILE, windows.toString());
        assertEquals(fromPlain.initialRoutes(), fromWindows.initialRoutes(), "the same targets and options");
        assertEquals(3, fromWindows.initialRoutes().lines().size());
        Path bomFirstLine = Files.write(dir.resolve("bom"),
                "\uFEFFwww http://frontend:3000\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(Map.of("www", new BackendTarget("http", "frontend", 3000, "")),
                with(Setting.ROUTES_FILE, bomFirstLine.toString()).initialRoutes().targets(), "a route on the first line, after the mark");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "api http://api:80 stiky=cookie|line 2: 'stiky=cookie' is not option=value with a known option (connectTimeout, responseTimeout, maxBodySize, allowedClients, sticky, preserveHost, rewriteRedirects, healthCheckPath)",
            "api http://api:80 maxBodySize=lots|line 2: maxBodySize='lots': expected unlimited, or a size such as 65536, 512KB, 10MB or 1GB",
            "api api:80|line 2: 'api:80' is not an http://, https://, h2c:// or h2:// URL with a host and no query",
            "grpc grpc://svc:50051|line 2: 'grpc://svc:50051' is not an http://, https://, h2c:// or h2:// URL with a host and no query",
            "api|line 2: expected: label target [option=value ...], with '-' as the target to keep the template's backend",
            "a_b http://x|line 2: 'a_b' is not a valid label",
            "www -|line 2: label 'www' appears twice",
            "api - sticky=cookie sticky=off|line 2: sticky is given twice"})
    void aBadLineStopsDeploymentNamingTheFileAndLine(String line, String expected, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("routes"), "www http://frontend:3000\n" + line + "\n");
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> with(Setting.ROUTES_FILE, file.toString()));
        assertEquals("hostproxy: invalid setting routesFile='" + file + "': " + expected, e.getMessage());
    }

    @Test
    void aLabelRoutedTwiceAcrossRoutesAndTheFileIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("routes"), "www http://frontend:3000\n");
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ProxyConfig.from(
                s -> s == Setting.ROUTES_FILE ? file.toString() : s == Setting.ROUTES ? "www=http://x" : null));
        assertTrue(e.getMessage().endsWith("label 'www' is also routed by the routes setting"), e.getMessage());
    }
}
