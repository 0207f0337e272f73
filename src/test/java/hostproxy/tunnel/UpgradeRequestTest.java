package hostproxy.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.relay.HeaderField;
import hostproxy.relay.HeaderPolicy;
import hostproxy.relay.ProxyError;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpgradeRequestTest {
    private static final List<String> WEBSOCKET = List.of("websocket");

    @Test
    void aWebSocketHandshakeIsAnUpgrade() throws ProxyError {
        UpgradeRequest u = UpgradeRequest.of("HTTP/1.1", List.of("keep-alive, Upgrade"), List.of("websocket"), false, WEBSOCKET);
        assertEquals("websocket", u.protocols());
    }

    @Test
    void withoutConnectionUpgradeItIsNoOffer() throws ProxyError {
        assertNull(UpgradeRequest.of("HTTP/1.1", List.of("keep-alive"), List.of("websocket"), false, WEBSOCKET));
        assertNull(UpgradeRequest.of("HTTP/1.1", List.of(), List.of("websocket"), false, WEBSOCKET));
    }

    @Test
    void anotherTokenIsIgnoredUnlessListed() throws ProxyError {
        assertNull(UpgradeRequest.of("HTTP/1.1", List.of("Upgrade, HTTP2-Settings"), List.of("h2c"), false, WEBSOCKET));
        assertEquals("h2c", UpgradeRequest.of("HTTP/1.1", List.of("Upgrade"), List.of("h2c"), false,
                List.of("websocket", "h2c")).protocols());
        assertEquals("websocket", UpgradeRequest.of("HTTP/1.1", List.of("upgrade"), List.of("h2c, WebSocket"), false,
                WEBSOCKET).protocols().toLowerCase());
    }

    @Test
    void http2RequestsAreNeverUpgrades() throws ProxyError {
        assertNull(UpgradeRequest.of("HTTP/2.0", List.of("upgrade"), List.of("websocket"), false, WEBSOCKET));
    }

    @Test
    void http10AndBodiesAreRefused() {
        assertEquals(400, assertThrows(ProxyError.class, () -> UpgradeRequest.of("HTTP/1.0", List.of("upgrade"),
                List.of("websocket"), false, WEBSOCKET)).status());
        assertEquals(400, assertThrows(ProxyError.class, () -> UpgradeRequest.of("HTTP/1.1", List.of("upgrade"),
                List.of("websocket"), true, WEBSOCKET)).status());
    }

    @Test
    void theBackendMustSwitchToWhatWasAskedFor() {
        UpgradeRequest u = new UpgradeRequest("websocket");
        assertTrue(u.accepts("websocket"));
        assertTrue(u.accepts("WebSocket"));
        assertFalse(u.accepts("h2c"));
        assertFalse(u.accepts(null));
        assertFalse(u.accepts(""));
    }

    @Test
    void theHandshakeKeepsUpgradeConnectionAndSecWebSocketFields() {
        List<HeaderField> forwarded = List.of(new HeaderField("Sec-WebSocket-Key", "k"),
                new HeaderField("Sec-WebSocket-Version", "13"));
        List<HeaderField> out = HeaderPolicy.toBackendUpgrade(forwarded, "websocket");
        assertEquals(List.of(new HeaderField("Sec-WebSocket-Key", "k"), new HeaderField("Sec-WebSocket-Version", "13"),
                new HeaderField("Connection", "upgrade"), new HeaderField("Upgrade", "websocket")), out);
        List<HeaderField> back = HeaderPolicy.toClientUpgrade(List.of(new HeaderField("Upgrade", "websocket"),
                new HeaderField("Connection", "Upgrade"), new HeaderField("Sec-WebSocket-Accept", "a")), "websocket");
        assertEquals(List.of(new HeaderField("Sec-WebSocket-Accept", "a"), new HeaderField("Connection", "upgrade"),
                new HeaderField("Upgrade", "websocket")), back);
    }

    @Test
    void aResponseHeadIsParsedAndWhatFollowsItKept() {
        byte[] wire = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0000"
                .getBytes(StandardCharsets.ISO_8859_1);
        int end = ResponseHead.end(wire, wire.length);
        ResponseHead head = ResponseHead.parse(wire, end, wire.length);
        assertEquals(101, head.status());
        assertEquals("websocket", head.first("upgrade"));
        assertEquals(2, head.rest().length);
        assertThrows(IllegalArgumentException.class, () -> ResponseHead.parse("SSH-2.0 x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 13, 13));
    }
}
