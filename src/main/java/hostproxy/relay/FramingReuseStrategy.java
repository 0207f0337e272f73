package hostproxy.relay;

import org.apache.hc.core5.http.ConnectionReuseStrategy;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * HttpCore's keep-alive rules, plus one it lacks for responses: a response with both
 * {@code Transfer-Encoding} and {@code Content-Length} is read by its chunks, and its connection is
 * then closed, since the backend and whatever sits between may disagree about where the message
 * ended (RFC 9112 §6.3, rule 3: "ought to be handled as an error", a sign of request smuggling).
 */
final class FramingReuseStrategy implements ConnectionReuseStrategy {
    @Override
    public boolean keepAlive(HttpRequest request, HttpResponse response, HttpContext context) {
        if (response.containsHeader(HttpHeaders.TRANSFER_ENCODING) && response.containsHeader(HttpHeaders.CONTENT_LENGTH)) {
            return false;
        }
        return DefaultConnectionReuseStrategy.INSTANCE.keepAlive(request, response, context);
    }
}
