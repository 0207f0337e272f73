package hostproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class StickySessionsTest {
    private static final String SECRET = "0123456789abcdef-shared";

    private static Backend backend(String name, String... addresses) throws Exception {
        Backend b = new Backend(name, Balancer.of(hostproxy.config.Balancing.ROUND_ROBIN), System.nanoTime());
        List<InetAddress> list = new java.util.ArrayList<>();
        for (String a : addresses) {
            list.add(InetAddress.getByName(a));
        }
        b.apply(new Resolution.Found(list), System.nanoTime(), 0);
        return b;
    }

    @Test
    void everyInstanceWithTheSameSecretHonoursTheToken() throws Exception {
        Backend onA = backend("app", "10.0.0.1", "10.0.0.2");
        Backend onB = backend("app", "10.0.0.1", "10.0.0.2");
        String token = new StickySessions(SECRET).token(onA, onA.endpoints().get(1));
        assertSame(onB.endpoints().get(1), new StickySessions(SECRET).pinned(onB, token));
        assertFalse(token.contains("10.0.0.2"));
        assertEquals(22, token.length());
    }

    @Test
    void aTamperedForeignOrStaleTokenPinsNothing() throws Exception {
        Backend b = backend("app", "10.0.0.1", "10.0.0.2");
        StickySessions sticky = new StickySessions(SECRET);
        String token = sticky.token(b, b.endpoints().get(0));
        char[] t = token.toCharArray();
        t[3] = t[3] == 'A' ? 'B' : 'A';
        assertNull(sticky.pinned(b, new String(t)));
        assertNull(new StickySessions("another-secret-of-16").pinned(b, token));
        assertNull(new StickySessions(null).pinned(b, token), "no secret: a random key of this instance");
        assertNull(sticky.pinned(backend("other", "10.0.0.1"), token), "a token is for one backend name");
        assertNull(sticky.pinned(backend("app", "10.0.0.2", "10.0.0.3"), token), "its address left DNS");
        assertNull(sticky.pinned(b, "10.0.0.1"));
        assertNull(sticky.pinned(b, null));
        assertNotEquals(token, sticky.token(b, b.endpoints().get(1)));
    }
}
