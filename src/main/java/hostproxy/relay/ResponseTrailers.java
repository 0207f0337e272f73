package hostproxy.relay;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The backend's trailer fields on their way to the client (RFC 9110 §6.5; where gRPC puts its
 * status). Servlet 6 takes them as a supplier set before the response is committed, which the
 * container asks after the last body byte: so they are declared with the response's head and filled
 * in when the backend's body ends. The container sends them as an HTTP/2 HEADERS frame, or as
 * chunked trailers to an HTTP/1.1 client that sent {@code TE: trailers} (RFC 9110 §10.1.4). Where the
 * client cannot take them (HTTP/1.0, HTTP/1.1 without {@code TE: trailers}, or a body with a
 * {@code Content-Length}, which has no place for them over HTTP/1.1) they are dropped, as a recipient
 * may (RFC 9110 §6.5.1).
 */
public final class ResponseTrailers {
    /** The fields of gRPC's status, which a client reads from trailers unless the head ended the stream. */
    private static final Set<String> GRPC_STATUS = Set.of("grpc-status", "grpc-message", "grpc-status-details-bin");

    private volatile Map<String, String> fields = Map.of();

    /**
     * A gRPC response that is all head (gRPC's "Trailers-Only": one HEADERS frame that ends the
     * stream, how servers answer an error at once) cannot go to the client as such: the servlet API
     * sends a head, then the end. Its status fields go as trailers after an empty body instead,
     * which gRPC clients read the same; a client that takes no trailers gets the head unchanged.
     *
     * @return the head's fields, without those that go as trailers
     */
    List<HeaderField> trailersOnly(HttpServletRequest request, List<HeaderField> head) {
        boolean grpc = head.stream().anyMatch(f -> f.name().equalsIgnoreCase("content-type")
                && f.value().toLowerCase(Locale.ROOT).startsWith("application/grpc"));
        if (!grpc || !accepts(request)) {
            return head;
        }
        List<HeaderField> status = head.stream().filter(f -> GRPC_STATUS.contains(f.name().toLowerCase(Locale.ROOT))).toList();
        arrived(status);
        return head.stream().filter(f -> !status.contains(f)).toList();
    }

    /** With the response's head: whether, and how, the container will ask for trailers. */
    void declare(HttpServletRequest request, HttpServletResponse response, long contentLength) {
        if ((contentLength >= 0 && fields.isEmpty()) || !accepts(request)) {
            return;
        }
        try {
            response.setTrailerFields(() -> fields);
        } catch (IllegalStateException cannot) {
            // the container takes no trailers for this response: they are dropped
        }
    }

    /** At the end of the backend's body; several fields of one name become one, comma-separated (RFC 9110 §5.3). */
    void arrived(List<HeaderField> trailers) {
        if (trailers.isEmpty()) {
            return;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (HeaderField f : trailers) {
            map.merge(f.name().toLowerCase(Locale.ROOT), f.value(), (a, b) -> a + ", " + b);
        }
        fields = Collections.unmodifiableMap(map);
    }

    /** Whether the client takes trailers: an HTTP/2 client always, an HTTP/1.1 one when its {@code TE} lists {@code trailers}. */
    public static boolean accepts(HttpServletRequest request) {
        return request.getProtocol().startsWith("HTTP/2") || request.getProtocol().equals("HTTP/1.1")
                && HeaderPolicy.listsTrailers(Collections.list(request.getHeaders("TE")));
    }
}
