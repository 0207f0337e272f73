package hostproxy;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Request ids ({@code X-Request-Id}): the client's (or a front load balancer's) when it is
 * well-formed and short, else a new one. It goes to the backend, into every log line about the
 * exchange, the access-log attributes and the proxy's own error responses.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    /** Letters, digits and {@code - _ . : + / =} (UUIDs, trace ids, base64), 1 to 128 characters. */
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:+/=-]{1,128}");
    private static final HexFormat HEX = HexFormat.of();

    private RequestIds() {
    }

    /** @param given the request's X-Request-Id, or {@code null} */
    static String of(String given) {
        if (given != null && WELL_FORMED.matcher(given).matches()) {
            return given;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HEX.toHexDigits(r.nextLong()) + HEX.toHexDigits(r.nextLong()); // 32 lower-case hex digits
    }
}
