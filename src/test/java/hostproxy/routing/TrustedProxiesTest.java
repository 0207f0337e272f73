package hostproxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.config.ProxyConfig;
import hostproxy.config.Setting;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
    private static final TrustedProxies TRUSTED = new TrustedProxies(ProxyConfig.from(
            s -> s == Setting.TRUSTED_PROXIES ? "10.0.0.0/8, 192.0.2.7, fd00::/8" : null).trustedProxies());

    private static ClientView view(String peer, String scheme, Map<String, List<String>> headers) {
        return TRUSTED.view(peer, scheme, "app.example.com", name -> headers.getOrDefault(name, List.of()));
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItClaims() {
        ClientView v = view("203.0.113.5", "http", Map.of("x-forwarded-for", List.of("198.51.100.1"),
                "x-forwarded-proto", List.of("https"), "x-forwarded-host", List.of("evil.example")));
        assertEquals(new ClientView("203.0.113.5", false, "app.example.com", false), v);
    }

    @Test
    void behindTrustedProxiesTheClientIsTheRightMostUntrustedAddress() {
        // the client forged 1.1.1.1; the real client 198.51.100.9 reached 10.1.1.1, which reached 192.0.2.7, the peer
        ClientView v = view("192.0.2.7", "http", Map.of("x-forwarded-for", List.of("1.1.1.1, 198.51.100.9", "10.1.1.1")));
        assertEquals("198.51.100.9", v.address());
        assertTrue(v.viaTrustedProxy());
    }

    @Test
    void whenEveryHopIsTrustedTheLeftMostIsTheClient() {
        assertEquals("10.9.9.9", view("10.0.0.1", "http", Map.of("x-forwarded-for", List.of("10.9.9.9, 10.1.1.1"))).address());
        assertEquals("10.0.0.1", view("10.0.0.1", "http", Map.of()).address(), "no header: the peer itself");
    }

    @Test
    void forwardedForIsReadWhenThereIsNoXForwardedFor() {
        ClientView v = view("fd00::2", "http", Map.of("forwarded",
                List.of("for=\"[2001:db8::1]:4711\";proto=https;host=shop.example, for=10.2.2.2")));
        assertEquals("2001:db8::1", v.address());
        assertTrue(v.https());
        assertEquals("shop.example", v.publicHost());
    }

    @Test
    void aTrustedProxysProtoDecidesHttps() {
        assertTrue(view("10.0.0.1", "http", Map.of("x-forwarded-proto", List.of("https"))).https());
        assertFalse(view("10.0.0.1", "https", Map.of("x-forwarded-proto", List.of("http"))).https());
        assertTrue(view("10.0.0.1", "https", Map.of()).https(), "nothing said: the connection's scheme");
        assertEquals("public.example:8443",
                view("10.0.0.1", "http", Map.of("x-forwarded-host", List.of("public.example:8443"))).publicHost());
    }

    @Test
    void namesAndGarbageAreNeverTrustedNorLookedUp() {
        assertFalse(TRUSTED.trusts("localhost"));
        assertFalse(TRUSTED.trusts("unknown"));
        assertEquals("unknown", view("10.0.0.1", "http", Map.of("x-forwarded-for", List.of("unknown"))).address());
        assertTrue(TRUSTED.trusts("::ffff:10.1.2.3"), "an IPv4-mapped address is its IPv4 address");
    }
}
