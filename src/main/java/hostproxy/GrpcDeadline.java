package hostproxy;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * A gRPC call's {@code grpc-timeout}: at most 8 digits and a unit, {@code H} hours, {@code M}
 * minutes, {@code S} seconds, {@code m} milli-, {@code u} micro-, {@code n} nanoseconds
 * (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md). The client gives up after it,
 * so hostproxy waits no longer either: it is the attempt's response timeout when shorter (a silence
 * that long, either way, answers {@code DEADLINE_EXCEEDED}). The field goes on to the backend as the
 * client sent it, which bounds the backend's work by it.
 */
final class GrpcDeadline {
    private static final Pattern FORMAT = Pattern.compile("[0-9]{1,8}[HMSmun]");
    private GrpcDeadline() {
    }

    /** The call's timeout, or {@code null}: no gRPC call, no {@code grpc-timeout}, or a malformed one (ignored). */
    static Duration of(HttpServletRequest request) {
        String value = request.getHeader("grpc-timeout");
        return value == null || !GrpcErrors.isGrpc(request) ? null : parse(value);
    }

    static Duration parse(String value) {
        if (!FORMAT.matcher(value).matches()) {
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
