package hostproxy.relay;

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
 */
final class AddressedRoutes implements HttpRoutePlanner {
    /** Context attribute: the {@link InetAddress} this exchange's attempt goes to. */
    static final String ADDRESS = "hostproxy.address";

    static void address(HttpClientContext context, InetAddress address) {
        context.setAttribute(ADDRESS, address);
    }

    @Override
    public HttpRoute determineRoute(HttpHost host, HttpContext context) throws HttpException {
        HttpHost target = RoutingSupport.normalize(host, DefaultSchemePortResolver.INSTANCE);
        InetAddress address = (InetAddress) context.getAttribute(ADDRESS);
        HttpHost addressed = new HttpHost(target.getSchemeName(), address, target.getHostName(), target.getPort());
        return new HttpRoute(addressed, null, URIScheme.HTTPS.same(target.getSchemeName()));
    }
}
