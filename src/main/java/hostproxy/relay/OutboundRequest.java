package hostproxy.relay;

import java.io.InputStream;
import java.util.List;
import java.util.Set;

/**
 * The request to send to a backend, independent of the servlet API.
 *
 * @param method     the client's method, whatever it is
 * @param rawTarget  path and query exactly as the client sent them ({@code /a%2Fb?x=1&x=})
 * @param headers    the header fields to send, already filtered by {@link HeaderPolicy}
 * @param body       the client's body stream, or {@code null} when the request has none
 * @param bodyLength the body's length, or {@code -1} to send it chunked
 */
public record OutboundRequest(String method, String rawTarget, List<HeaderField> headers, InputStream body,
        long bodyLength) {
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
        return new OutboundRequest(method, rawTarget, List.copyOf(fields), body, bodyLength);
    }

    /** May be sent again: idempotent, and without a body that was consumed by the first try. */
    boolean isReplayable() {
        return IDEMPOTENT.contains(method) && (body == null || bodyLength == 0);
    }
}
