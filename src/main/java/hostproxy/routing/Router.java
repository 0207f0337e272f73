package hostproxy.routing;

import hostproxy.config.BackendTarget;
import hostproxy.config.ProxyConfig;
import hostproxy.config.RouteTable;
import java.util.function.Supplier;

/**
 * Decides where a request goes, from its Host alone: pure code, no I/O.
 *
 * <ol>
 *   <li>a request that already passed through this instance is a loop: {@code 508};</li>
 *   <li>the authority is an HTTP/2 request's {@code :authority} (a {@code Host} naming another
 *       host: {@code 400}, RFC 9113 §8.3.1); else the absolute-form target's when there is one,
 *       else the single Host header (RFC 9112 §3.2.2); none, several, IP literals, invalid names
 *       or ports: {@code 400};</li>
 *   <li>its first label picks an explicit route if one names it, else the host template;</li>
 *   <li>a label with a line in the routes file is reached whatever {@code allowedBackends} says;
 *       others outside it, and {@code localhost} without a route or line: {@code 404}.</li>
 * </ol>
 *
 * The route table is taken once per request, and the route carries what the request needs of it.
 */
public final class Router {
    private final ProxyConfig config;
    private final LabelGlobs allowed;
    private final LoopGuard loopGuard;
    private final Supplier<RouteTable> routes;

    /** @param routes the route table in force */
    public Router(ProxyConfig config, LoopGuard loopGuard, Supplier<RouteTable> routes) {
        this.config = config;
        this.allowed = new LabelGlobs(config.allowedBackends());
        this.loopGuard = loopGuard;
        this.routes = routes;
    }

    public RoutingDecision route(RequestHead head) {
        if (loopGuard.seenIn(head.viaHeaders())) {
            return new Rejection(508, "request loop: this request has already passed through this proxy");
        }
        String authority = head.http2Authority() != null ? head.http2Authority() : head.absoluteFormAuthority();
        if (head.http2Authority() != null) {
            for (String host : head.hostHeaders()) {
                if (!HostLabel.sameHost(host.trim(), authority)) {
                    return Rejection.badRequest("Host header disagrees with :authority");
                }
            }
        } else if (authority == null) {
            if (head.hostHeaders().isEmpty()) {
                return Rejection.badRequest("missing Host header");
            }
            if (head.hostHeaders().size() > 1) {
                return Rejection.badRequest("several Host headers");
            }
            authority = head.hostHeaders().get(0).trim();
        }
        HostLabel.Parsed parsed = HostLabel.firstLabel(authority);
        return parsed.rejection() != null ? parsed.rejection() : routeLabel(parsed.label(), routes.get());
    }

    private RoutingDecision routeLabel(String label, RouteTable table) {
        BackendTarget explicit = table.target(label);
        if (explicit != null) {
            return new Route(label, explicit, table.optionsFor(label));
        }
        if (!table.hasLine(label) && (label.equals("localhost") || !allowed.matches(label))) {
            return Rejection.noService();
        }
        String host = config.backendHost().replace("{label}", label);
        BackendTarget template = new BackendTarget(config.backendScheme(), host, config.backendPort(), "",
                config.backendProtocol());
        return new Route(label, template, table.optionsFor(label));
    }
}
