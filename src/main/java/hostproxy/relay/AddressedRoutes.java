package hostproxy.relay;

import hostproxy.config.BackendProtocol;
import java.net.InetAddress;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.routing.HttpRoutePlanner;
import org.apache.hc.client5.http.routing.RoutingSupport;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Routes each exchange to the address the relay picked for it, keeping the backend's name for the
 * Host header, TLS and logs. The non-blocking client takes its target from the request's authority
 * (a name) and would resolve it itself; the relay resolves and balances with its own DNS instead.
 *
 * <p>The route also carries the protocol: an HTTP/2 backend's route names its first hop
 * {@code h2c://} or {@code h2://} (the request keeps its {@code http}/{@code https} scheme), so that
 * HTTP/1.1 and HTTP/2 connections to one address are pooled apart and {@link UpstreamClient}
 * opens each kind as it must.
 */
final class AddressedRoutes implements HttpRoutePlanner {
    /** Context attribute: the {@link InetAddress} this exchange's attempt goes to. */
    static final String ADDRESS = "hostproxy.address";
    /** Context attribute: the {@link BackendProtocol} of the exchange's backend; none: HTTP/1.1. */
    static final String PROTOCOL = "hostproxy.protocol";

    static void address(HttpClientContext context, InetAddress address) {
        context.setAttribute(ADDRESS, address);
    }

    @Override
    public HttpRoute determineRoute(HttpHost host, HttpContext context) throws HttpException {
        HttpHost target = RoutingSupport.normalize(host, DefaultSchemePortResolver.INSTANCE);
        InetAddress address = (InetAddress) context.getAttribute(ADDRESS);
        BackendProtocol protocol = context.getAttribute(PROTOCOL) instanceof BackendProtocol p ? p : BackendProtocol.HTTP_1_1;
        String firstHop = protocol.word(target.getSchemeName());
        HttpHost addressed = new HttpHost(firstHop, address, target.getHostName(), target.getPort());
        return new HttpRoute(addressed, null, URIScheme.HTTPS.same(target.getSchemeName()));
    }
}
