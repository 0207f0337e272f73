package hostproxy.relay;

import hostproxy.config.BackendTarget;
import hostproxy.upstream.Endpoint;
import java.io.IOException;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.RequestChannel;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * One attempt's request as HttpClient sends it: the outbound request (head already rewritten for
 * the backend) addressed to the route's target at the endpoint's address, and the context that
 * pins that address and names the attempt.
 */
final class BackendRequest {
    private BackendRequest() {
    }

    /**
     * @param body the client's body as HttpCore pulls it, or {@code null} for a request without one
     * @param call the attempt, told when its request goes out
     */
    static BasicRequestProducer producer(BackendTarget target, Endpoint endpoint, OutboundRequest request,
            AsyncEntityProducer body, BackendCall call) {
        // The address is the endpoint's; the name stays the target's, for Host and TLS (SNI).
        HttpHost host = new HttpHost(target.scheme(), endpoint.address(), target.host(), target.port());
        BasicHttpRequest out = new BasicHttpRequest(request.method(), host, target.basePath() + request.rawTarget());
        for (HeaderField h : request.headers()) {
            out.addHeader(h.name(), h.value());
        }
        return new BasicRequestProducer(out, body) {
            @Override
            public void sendRequest(RequestChannel channel, HttpContext context) throws HttpException, IOException {
                call.moved(); // the request goes out on its connection: from here on, silence counts
                super.sendRequest(channel, context);
            }
        };
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
