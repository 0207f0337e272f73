package hostproxy.relay;

import hostproxy.config.BackendTarget;
import hostproxy.upstream.Endpoint;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;

/**
 * One attempt's request as HttpClient sends it: the outbound request (head already rewritten for
 * the backend) addressed to the route's target at the endpoint's address, and the context that
 * pins that address and names the attempt.
 */
final class BackendRequest {
    private BackendRequest() {
    }

    /** @param body the client's body as HttpCore pulls it, or {@code null} for a request without one */
    static BasicRequestProducer producer(BackendTarget target, Endpoint endpoint, OutboundRequest request,
            AsyncEntityProducer body) {
        // The address is the endpoint's; the name stays the target's, for Host and TLS (SNI).
        HttpHost host = new HttpHost(target.scheme(), endpoint.address(), target.host(), target.port());
        BasicHttpRequest out = new BasicHttpRequest(request.method(), host, target.basePath() + request.rawTarget());
        for (HeaderField h : request.headers()) {
            out.addHeader(h.name(), h.value());
        }
        return new BasicRequestProducer(out, body);
    }

    /** @param routeContext the route's own context (its timeouts), or {@code null} for the client's defaults */
    static HttpClientContext context(HttpClientContext routeContext, Endpoint endpoint, BackendCall call,
            OutboundRequest request) {
        HttpClientContext context = routeContext != null ? routeContext : HttpClientContext.create();
        AddressedRoutes.address(context, endpoint.address());
        context.setAttribute(BackendCall.CONTEXT, call);
        if (request.headers().stream().noneMatch(h -> h.name().equalsIgnoreCase("User-Agent"))) {
            context.setAttribute(UpstreamClient.NO_USER_AGENT, Boolean.TRUE); // HttpClient would add its own
        }
        return context;
    }
}
