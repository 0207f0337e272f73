package hostproxy.relay;

import hostproxy.upstream.Backend;
import hostproxy.upstream.Endpoint;
import java.util.List;
import org.apache.hc.client5.http.protocol.HttpClientContext;

/**
 * What the front-door features ask of one exchange's relay: which address a sticky session pins,
 * per-route timeouts, and the response headers as the client should see them (redirects rewritten,
 * a sticky cookie added).
 */
public interface ExchangeHooks {
    /** Nothing added: plain balancing, global timeouts, the headers as {@link HeaderPolicy} leaves them. */
    ExchangeHooks NONE = new ExchangeHooks() {
    };

    /** The address this client is pinned to, or {@code null} to balance. */
    default Endpoint pinned(Backend backend) {
        return null;
    }

    /** A context carrying the route's own timeouts and backend protocol, or {@code null} for the client's defaults (HTTP/1.1). */
    default HttpClientContext context() {
        return null;
    }

    /**
     * @param fields the backend's response headers, hop-by-hop fields already gone
     * @param served the address that answered
     */
    default List<HeaderField> toClient(List<HeaderField> fields, Backend backend, Endpoint served) {
        return fields;
    }
}
