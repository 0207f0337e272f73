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
 * To an HTTP/2 backend the relay's {@code Host} (the client's, or the backend's own name with
 * {@code preserveHost=false}) goes as the request's {@code :authority}, and no {@code Host} field
 * goes beside it: one that differs from {@code :authority} makes the request malformed (RFC 9113
 * §8.3.1), and servers refuse it (Jetty answers {@code 400}).
 */
final class Http2Authority implements HttpRequestInterceptor {
    @Override
    public void process(HttpRequest request, EntityDetails entity, HttpContext context) throws ProtocolException {
        Header host = request.getFirstHeader(HttpHeaders.HOST);
        if (host == null || context.getAttribute(AddressedRoutes.PROTOCOL) != BackendProtocol.HTTP_2) {
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
