package hostproxy.relay;

import hostproxy.config.BackendProtocol;
import java.net.URISyntaxException;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpRequestInterceptor;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

/**
 * The request's fields as the protocol of its backend wants them.
 * <ul>
 *   <li>To an HTTP/2 backend the relay's {@code Host} (the client's, or the backend's own name with
 *       {@code preserveHost=false}) goes as the request's {@code :authority}, and no {@code Host}
 *       field goes beside it: one that differs from {@code :authority} makes the request malformed
 *       (RFC 9113 §8.3.1), and servers refuse it (Jetty answers {@code 400}).</li>
 *   <li>{@code TE: trailers} ({@link HeaderPolicy#toBackend}) goes to HTTP/2 backends only, where it
 *       is the one {@code TE} allowed (RFC 9113 §8.2.2) and gRPC servers ask for it; over HTTP/1.1 it
 *       is hop-by-hop and would need a {@code Connection: TE} of its own.</li>
 * </ul>
 */
final class ProtocolFields implements HttpRequestInterceptor {
    @Override
    public void process(HttpRequest request, EntityDetails entity, HttpContext context) throws ProtocolException {
        if (context.getAttribute(AddressedRoutes.PROTOCOL) != BackendProtocol.HTTP_2) {
            request.removeHeaders("TE");
            return;
        }
        Header host = request.getFirstHeader(HttpHeaders.HOST);
        if (host == null) {
            return;
        }
        try {
            request.setAuthority(URIAuthority.create(host.getValue()));
        } catch (URISyntaxException e) { // the router admitted it as a host and port: not expected
            throw new ProtocolException("Host '" + host.getValue() + "' is not an authority");
        }
        request.removeHeaders(HttpHeaders.HOST);
    }
}
