package hostproxy.relay;

import java.util.List;
import java.util.Set;

/**
 * The request to send to a backend, independent of the servlet API.
 *
 * @param method     the client's method, whatever it is
 * @param rawTarget  path and query exactly as the client sent them ({@code /a%2Fb?x=1&x=})
 * @param headers    the header fields to send, already filtered by {@link HeaderPolicy}
 * @param body       the client's body, or {@code null} when the request has none
 */
public record OutboundRequest(String method, String rawTarget, List<HeaderField> headers, ClientBody body) {
    /** RFC 9110 §9.2.2. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    /** The same request with every field of this name replaced by one with this value. */
    public OutboundRequest withHeader(String name, String value) {
        List<HeaderField> fields = new java.util.ArrayList<>(headers.size() + 1);
        for (HeaderField h : headers) {
            if (!h.name().equalsIgnoreCase(name)) {
                fields.add(h);
            }
        }
        fields.add(new HeaderField(name, value));
        return new OutboundRequest(method, rawTarget, List.copyOf(fields), body);
    }

    /** The same request without a body (an HTTP/2 request whose stream ended with its headers). */
    OutboundRequest withoutBody() {
        return new OutboundRequest(method, rawTarget, headers, null);
    }

    /** May be sent again: idempotent, and without a body that the first try consumed. */
    boolean isReplayable() {
        return IDEMPOTENT.contains(method) && body == null;
    }
}
