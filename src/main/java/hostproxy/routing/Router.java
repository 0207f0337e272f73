package hostproxy.routing;

import hostproxy.config.BackendTarget;
import hostproxy.config.ProxyConfig;

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
 *   <li>labels outside {@code allowedBackends}, and {@code localhost} without a route: {@code 404}.</li>
 * </ol>
 */
public final class Router {
    private final ProxyConfig config;
    private final LabelGlobs allowed;
    private final LoopGuard loopGuard;

    public Router(ProxyConfig config, LoopGuard loopGuard) {
        this.config = config;
        this.allowed = new LabelGlobs(config.allowedBackends());
        this.loopGuard = loopGuard;
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
        return parsed.rejection() != null ? parsed.rejection() : routeLabel(parsed.label());
    }

    private RoutingDecision routeLabel(String label) {
        BackendTarget explicit = config.routes().get(label);
        if (explicit != null) {
            return new Route(label, explicit);
        }
        if (label.equals("localhost") || !allowed.matches(label)) {
            return Rejection.noService();
        }
        String host = config.backendHost().replace("{label}", label);
        return new Route(label, new BackendTarget(config.backendScheme(), host, config.backendPort(), ""));
    }
}
