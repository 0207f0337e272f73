package hostproxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderPolicyTest {
    private static final Forwarding FWD = new Forwarding("192.0.2.10", "https", "api.example.com", 443, "1.1",
            "hostproxy-0badc0de", "api.example.com");

    private static List<String> names(List<HeaderField> fields) {
        return fields.stream().map(f -> f.name().toLowerCase()).toList();
    }

    private static String value(List<HeaderField> fields, String name) {
        return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(HeaderField::value)
                .collect(Collectors.joining("|"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding",
            "Upgrade", "Proxy-Authorization", "Proxy-Authenticate"})
    void eachHopByHopHeaderStopsHereInBothDirections(String name) {
        List<HeaderField> in = List.of(new HeaderField(name, "x"), new HeaderField("Accept", "*/*"));
        assertTrue(!names(HeaderPolicy.toBackend(in, FWD)).contains(name.toLowerCase()), name + " reached the backend");
        assertEquals(List.of("accept"), names(HeaderPolicy.toClient(in)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"trailers", "deflate, trailers", "TRAILERS;q=1", "gzip;q=0.5,trailers"})
    void aTeThatListsTrailersGoesOnAsTeTrailersAlone(String te) {
        List<HeaderField> in = List.of(new HeaderField("TE", te), new HeaderField("Accept", "*/*"));
        assertEquals("trailers", value(HeaderPolicy.toBackend(in, FWD), "TE"));
        assertEquals("", value(HeaderPolicy.toBackendUpgrade(HeaderPolicy.toBackend(in, FWD), "websocket"), "TE"),
                "not in an HTTP/1.1 upgrade");
    }

    @Test
    void trailerFieldsFollowTheHopByHopRulesAndCarryNoFraming() {
        List<HeaderField> in = List.of(new HeaderField("grpc-status", "0"), new HeaderField("Connection", "x-hop"),
                new HeaderField("X-Hop", "1"), new HeaderField("Content-Length", "5"), new HeaderField("Host", "h"),
                new HeaderField("Transfer-Encoding", "chunked"), new HeaderField("grpc-message", "ok"));
        assertEquals(List.of("grpc-status", "grpc-message"), names(HeaderPolicy.trailers(in)));
    }

    @Test
    void headersNamedInConnectionStopHereInBothDirections() {
        List<HeaderField> in = List.of(new HeaderField("Connection", "close, X-Hop-A"), new HeaderField("connection", "x-hop-b"),
                new HeaderField("X-Hop-A", "1"), new HeaderField("X-HOP-B", "2"), new HeaderField("X-Kept", "3"));
        assertEquals(List.of("x-kept"), names(HeaderPolicy.toClient(in)));
        assertTrue(names(HeaderPolicy.toBackend(in, FWD)).stream().noneMatch(n -> n.startsWith("x-hop")));
    }

    @Test
    void theHttpoxyProxyHeaderAndTheBodysFramingAreNotForwarded() {
        List<HeaderField> in = List.of(new HeaderField("Proxy", "http://evil:3128"), new HeaderField("Content-Length", "5"),
                new HeaderField("Expect", "100-continue"), new HeaderField("Host", "forged"));
        List<String> out = names(HeaderPolicy.toBackend(in, FWD));
        assertTrue(!out.contains("proxy") && !out.contains("content-length") && !out.contains("expect"), out.toString());
        assertEquals("api.example.com", value(HeaderPolicy.toBackend(in, FWD), "Host"));
    }

    @Test
    void endToEndHeadersPassInOrderWithRepeats() {
        List<HeaderField> in = List.of(new HeaderField("Set-Cookie", "a=1"), new HeaderField("Content-Length", "9"),
                new HeaderField("Set-Cookie", "b=2"), new HeaderField("Content-Encoding", "gzip"));
        assertEquals(in, HeaderPolicy.toClient(in));
    }

    private static final List<HeaderField> CLAIMS = List.of(new HeaderField("X-Forwarded-For", "203.0.113.1"),
            new HeaderField("X-Forwarded-For", "198.51.100.2"), new HeaderField("X-Forwarded-Proto", "gopher"),
            new HeaderField("X-Forwarded-Host", "evil"), new HeaderField("X-Forwarded-Port", "1"),
            new HeaderField("Forwarded", "for=203.0.113.1"), new HeaderField("Via", "1.0 cdn"));

    @Test
    void aContentLengthBesideTransferEncodingNeverReachesTheClient() {
        List<HeaderField> in = List.of(new HeaderField("Content-Length", "3"), new HeaderField("Transfer-Encoding", "chunked"),
                new HeaderField("Content-Type", "text/plain"));
        assertEquals(List.of("content-type"), names(HeaderPolicy.toClient(in)));
    }

    @Test
    void fromAnUntrustedPeerForwardedHeadersAreReplacedSoThatClientsCannotForgeThem() {
        List<HeaderField> out = HeaderPolicy.toBackend(CLAIMS, FWD);
        assertEquals("192.0.2.10", value(out, "X-Forwarded-For"));
        assertEquals("https", value(out, "X-Forwarded-Proto"));
        assertEquals("api.example.com", value(out, "X-Forwarded-Host"));
        assertEquals("443", value(out, "X-Forwarded-Port"));
        assertEquals("for=192.0.2.10;host=api.example.com;proto=https", value(out, "Forwarded"));
        assertEquals("1.0 cdn, 1.1 hostproxy-0badc0de", value(out, "Via"));
    }

    @Test
    void fromATrustedProxyForwardedHeadersAreKeptAndExtended() {
        Forwarding trusted = new Forwarding("192.0.2.10", "http", "api.example.com", 80, "1.1", "hostproxy-0badc0de",
                "api.example.com", true);
        List<HeaderField> out = HeaderPolicy.toBackend(CLAIMS, trusted);
        assertEquals("203.0.113.1, 198.51.100.2, 192.0.2.10", value(out, "X-Forwarded-For"));
        assertEquals("gopher", value(out, "X-Forwarded-Proto"));
        assertEquals("evil", value(out, "X-Forwarded-Host"));
        assertEquals("1", value(out, "X-Forwarded-Port"));
        assertEquals("for=203.0.113.1, for=192.0.2.10;host=api.example.com;proto=http", value(out, "Forwarded"));
        List<HeaderField> bare = HeaderPolicy.toBackend(List.of(), trusted);
        assertEquals("http", value(bare, "X-Forwarded-Proto"), "what the trusted proxy did not say, we say");
        assertEquals("192.0.2.10", value(bare, "X-Forwarded-For"));
    }

    @Test
    void forwardedQuotesIpv6NodesAndHostsWithPorts() {
        Forwarding v6 = new Forwarding("2001:db8::7", "http", "api.example.com:8080", 8080, "1.1", "hostproxy-1", null);
        assertEquals("for=\"[2001:db8::7]\";host=\"api.example.com:8080\";proto=http", HeaderPolicy.forwardedElement(v6));
    }

    @Test
    void withoutPreserveHostNoHostIsSentAndTheClientLibraryNamesTheBackend() {
        Forwarding noHost = new Forwarding("192.0.2.10", "http", "api.example.com", 80, "1.1", "hostproxy-1", null);
        assertTrue(!names(HeaderPolicy.toBackend(List.of(new HeaderField("Host", "api.example.com")), noHost))
                .contains("host"));
    }
}
