package hostproxy;

import hostproxy.container.ConnectionAbort;
import hostproxy.container.ServletReentry;
import hostproxy.relay.Exchange;
import hostproxy.relay.ExchangeOutcome;
import hostproxy.relay.Relay;
import hostproxy.relay.OutboundRequest;
import hostproxy.relay.ProxyError;
import hostproxy.relay.Trace;
import hostproxy.routing.ClientView;
import hostproxy.routing.Rejection;
import hostproxy.routing.Route;
import hostproxy.routing.RoutingDecision;
import hostproxy.tunnel.UpgradeRequest;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /**
     * Overrides the per-method dispatch: every method, PATCH and extension methods included, is
     * relayed. The container's thread only routes the request and starts the relay; the exchange
     * goes on without it and is counted when it ends.
     */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            HttpServletRequest setAside = ServletReentry.takeSetAside(request);
            if (setAside == null) {
                ConnectionAbort.carryOut(request); // the relay's other dispatch: a response it broke off
                return;
            }
            request = setAside;
        } else if (ServletReentry.setAsideIfInside(request)) {
            return; // served shortly, on a container thread
        }
        long start = System.nanoTime();
        proxy.exchangeBegins();
        ServletExchange incoming = new ServletExchange(request);
        Exchange exchange = new Exchange(proxy.nextExchangeId(), request.getMethod(), request.getRequestURI(),
                RequestIds.of(request.getHeader(RequestIds.HEADER)), new Trace());
        ClientView client = incoming.client(proxy.trustedProxies());
        Outcome outcome = new Outcome(exchange, client, request, response, start);
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
                outcome.ended(null);
                return;
            }
            if (!proxy.admitExchange()) {
                throw ProxyError.overloaded("too many exchanges in progress (maxExchanges "
                        + proxy.config().maxExchanges() + ")");
            }
            OutboundRequest outbound = door.limitBody(
                    incoming.outbound(door.preserveHost(), proxy.viaToken(), client.viaTrustedProxy()))
                    .withHeader(RequestIds.HEADER, exchange.requestId());
            proxy.relay().start(exchange, route, outbound, request, response, door, outcome);
        } catch (ProxyError error) {
            byte[] body = outcome.errorAnswer(error);
            outcome.ended(error.kind());
            try {
                response.getOutputStream().write(body);
            } catch (IOException e) {
                LOG.fine(() -> exchange + ": client went away before the error response: " + e);
            }
        }
    }

    /** How one exchange ends: its error answer, and its count in metrics and the access log, once. */
    private final class Outcome implements ExchangeOutcome {
        private final Exchange exchange;
        private final ClientView client;
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final long start;
        private final AtomicBoolean counted = new AtomicBoolean();

        Outcome(Exchange exchange, ClientView client, HttpServletRequest request, HttpServletResponse response,
                long start) {
            this.exchange = exchange;
            this.client = client;
            this.request = request;
            this.response = response;
            this.start = start;
        }

        @Override
        public byte[] errorAnswer(ProxyError error) {
            return ErrorResponses.answer(exchange, client.address(), error, request, proxy.errorPages(), response);
        }

        @Override
        public void ended(String failure) {
            if (!counted.compareAndSet(false, true)) {
                return;
            }
            try {
                Trace t = exchange.trace();
                proxy.metrics().exchange(exchange.method(), t.backend(), response.getStatus(), failure,
                        System.nanoTime() - start, t.retries());
                if (GrpcErrors.isGrpc(request)) {
                    proxy.metrics().grpcCall(t.backend(), t.grpcStatus());
                }
                AccessLogAttributes.set(request, exchange, failure);
            } finally {
                proxy.exchangeEnds(); // whatever happened above, or draining would wait for it in vain
            }
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
