package hostproxy;

import hostproxy.relay.Exchange;
import hostproxy.relay.OutboundRequest;
import hostproxy.relay.ProxyError;
import hostproxy.relay.ResponseAbortedException;
import hostproxy.relay.Trace;
import hostproxy.routing.ClientView;
import hostproxy.routing.Rejection;
import hostproxy.routing.Route;
import hostproxy.routing.RoutingDecision;
import hostproxy.tunnel.UpgradeRequest;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * The catch-all servlet. Each request goes through the same steps: route it by its Host, relay it
 * to the backend and stream the answer back, or answer the one error that stopped it; then count it.
 */
public final class HostProxyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(HostProxyServlet.class.getName());
    private transient HostProxy proxy;

    @Override
    public void init() throws ServletException {
        proxy = (HostProxy) getServletContext().getAttribute(HostProxyLifecycle.ATTRIBUTE);
        if (proxy == null) {
            throw new UnavailableException("hostproxy did not start: " + HostProxyLifecycle.class.getName()
                    + " must be registered as a listener in web.xml");
        }
        proxy.ready();
    }

    /** Overrides the per-method dispatch: every method, PATCH and extension methods included, is relayed. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long start = System.nanoTime();
        proxy.exchangeBegins();
        ServletExchange incoming = new ServletExchange(request);
        Exchange exchange = new Exchange(proxy.nextExchangeId(), request.getMethod(), request.getRequestURI(),
                RequestIds.of(request.getHeader(RequestIds.HEADER)), new Trace());
        ClientView client = incoming.client(proxy.trustedProxies());
        String failure = null;
        try {
            if (!incoming.protocolSupported()) {
                throw new ProxyError(400, "unsupported protocol " + request.getProtocol() + "; use HTTP/1.1 or HTTP/2");
            }
            Route route = route(incoming, client);
            FrontDoor door = FrontDoor.admit(proxy.config(), route, client, proxy.sticky(), request);
            UpgradeRequest upgrade = proxy.tunnels().upgradeOf(request);
            if (upgrade != null) {
                OutboundRequest handshake = incoming.outbound(door.preserveHost(), proxy.viaToken(), client.viaTrustedProxy())
                        .withHeader(RequestIds.HEADER, exchange.requestId());
                proxy.tunnels().open(exchange, route, upgrade, handshake, request, response, door);
                return;
            }
            OutboundRequest outbound = door.limitBody(
                    incoming.outbound(door.preserveHost(), proxy.viaToken(), client.viaTrustedProxy()))
                    .withHeader(RequestIds.HEADER, exchange.requestId());
            proxy.relay().forward(exchange, route, outbound, response, door);
        } catch (ProxyError error) {
            failure = error.kind();
            ErrorResponses.send(exchange, client.address(), error, request, proxy.errorPages(),
                    response);
        } catch (ResponseAbortedException brokenOff) {
            failure = "aborted";
            ConnectionAbort.abort(request, brokenOff);
        } finally {
            Trace t = exchange.trace();
            proxy.metrics().exchange(exchange.method(), t.backend(), response.getStatus(), failure,
                    System.nanoTime() - start, t.retries());
            AccessLogAttributes.set(request, exchange);
            proxy.exchangeEnds();
        }
    }

    private Route route(ServletExchange incoming, ClientView client) throws ProxyError {
        RoutingDecision decision = proxy.router().route(incoming.head());
        if (decision instanceof Rejection rejection) {
            FrontDoor.admitUnrouted(proxy.config(), client);
            throw new ProxyError(rejection.status(), rejection.reason());
        }
        return (Route) decision;
    }

    /**
     * The container stops this application: {@code /readyz} turns 503, and exchanges in flight get
     * {@code drainTimeout} to finish before the listener closes backend connections.
     */
    @Override
    public void destroy() {
        if (proxy == null) {
            return;
        }
        int left = proxy.drain();
        if (left > 0) {
            LOG.warning(() -> "hostproxy: stopping with " + left + " exchanges still in flight after drainTimeout ("
                    + proxy.drainTimeout().toMillis() + " ms); their connections are closed");
        }
    }
}
