package hostproxy;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * A gRPC call's {@code grpc-timeout} (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md: at most 8 digits and a unit, {@code H}
 * hours, {@code M} minutes, {@code S} seconds, {@code m} milli-, {@code u} micro-, {@code n}
 * nanoseconds): the client gives up after it, so hostproxy waits for the backend no longer either,
 * and answers {@code DEADLINE_EXCEEDED} itself when the backend is silent that long. The field still
 * goes to the backend, which bounds its own work by it.
 */
final class GrpcDeadline {
    private GrpcDeadline() {
    }

    /** The call's timeout, or {@code null}: no gRPC call, no {@code grpc-timeout}, or a malformed one (ignored). */
    static Duration of(HttpServletRequest request) {
        String value = request.getHeader("grpc-timeout");
        return value == null || !GrpcErrors.isGrpc(request) ? null : parse(value);
    }

    static Duration parse(String value) {
        if (!value.matches("[0-9]{1,8}[HMSmun]")) {
            return null;
        }
        long amount = Long.parseLong(value.substring(0, value.length() - 1));
        ChronoUnit unit = switch (value.charAt(value.length() - 1)) {
            case 'H' -> ChronoUnit.HOURS;
            case 'M' -> ChronoUnit.MINUTES;
            case 'S' -> ChronoUnit.SECONDS;
            case 'm' -> ChronoUnit.MILLIS;
            case 'u' -> ChronoUnit.MICROS;
            default -> ChronoUnit.NANOS;
        };
        return Duration.of(amount, unit);
    }

    /**
     * The shorter of a configured timeout and the call's; never below a millisecond, which
     * HttpClient would read as no timeout at all.
     */
    static Duration bound(Duration configured, Duration call) {
        if (call == null || configured.compareTo(call) <= 0) {
            return configured;
        }
        return call.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : call;
    }
}
