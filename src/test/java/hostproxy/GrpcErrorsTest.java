package hostproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import hostproxy.relay.BackendFailures;
import hostproxy.relay.ProxyError;
import java.time.Duration;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.junit.jupiter.api.Test;

/** gRPC's codes for hostproxy's errors, the message's encoding, and {@code grpc-timeout}. */
class GrpcErrorsTest {
    @Test
    void eachErrorHasTheCodeAGrpcClientCanActOn() {
        assertEquals(14, GrpcErrors.code(new ProxyError(502, "no backend named x", null)), "UNAVAILABLE");
        assertEquals(14, GrpcErrors.code(ProxyError.unavailable("no healthy address", 5)), "UNAVAILABLE");
        assertEquals(4, GrpcErrors.code(new ProxyError(504, "did not respond in time", null)), "DEADLINE_EXCEEDED");
        assertEquals(4, GrpcErrors.code(new ProxyError(408, "the request body did not arrive in time")));
        assertEquals(14, GrpcErrors.code(BackendFailures.classify(new ConnectTimeoutException("no"), "api")),
                "UNAVAILABLE: nothing reached the backend, a client may try again");
        assertEquals(8, GrpcErrors.code(new ProxyError(413, "request body larger than 1024 bytes")), "RESOURCE_EXHAUSTED");
        assertEquals(8, GrpcErrors.code(ProxyError.overloaded("too many exchanges")), "RESOURCE_EXHAUSTED");
        assertEquals(7, GrpcErrors.code(new ProxyError(403, "client may not use this service")), "PERMISSION_DENIED");
        assertEquals(12, GrpcErrors.code(new ProxyError(404, "no service for this host")), "UNIMPLEMENTED");
        assertEquals(13, GrpcErrors.code(new ProxyError(400, "bad request")), "INTERNAL");
        assertEquals(2, GrpcErrors.code(new ProxyError(508, "loop")), "UNKNOWN");
    }

    @Test
    void theMessageIsPercentEncodedUtf8() {
        assertEquals("backend api did not respond in time", GrpcErrors.percentEncode("backend api did not respond in time"));
        assertEquals("100%25 caf%C3%A9%0A", GrpcErrors.percentEncode("100% café\n"));
    }

    @Test
    void grpcTimeoutIsReadInEachOfItsUnits() {
        assertEquals(Duration.ofHours(2), GrpcDeadline.parse("2H"));
        assertEquals(Duration.ofMinutes(3), GrpcDeadline.parse("3M"));
        assertEquals(Duration.ofSeconds(99999999), GrpcDeadline.parse("99999999S"));
        assertEquals(Duration.ofMillis(250), GrpcDeadline.parse("250m"));
        assertEquals(Duration.ofNanos(7_000), GrpcDeadline.parse("7u"));
        assertEquals(Duration.ofNanos(5), GrpcDeadline.parse("5n"));
        for (String bad : new String[] {"", "S", "123456789S", "1s", "-1S", "1.5S", " 1S"}) {
            assertNull(GrpcDeadline.parse(bad), bad);
        }
    }

    @Test
    void theShorterTimeoutWinsButNeverBelowAMillisecond() {
        Duration configured = Duration.ofSeconds(60);
        assertEquals(configured, GrpcDeadline.bound(configured, null));
        assertEquals(configured, GrpcDeadline.bound(configured, Duration.ofMinutes(5)));
        assertEquals(Duration.ofMillis(300), GrpcDeadline.bound(configured, Duration.ofMillis(300)));
        assertEquals(Duration.ofMillis(1), GrpcDeadline.bound(configured, Duration.ofNanos(5)), "0 would be no timeout");
    }
}
