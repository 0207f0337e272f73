package hostproxy.routing;

import hostproxy.config.BackendTarget;
import hostproxy.config.RouteOptions;

/**
 * A request's destination, and the options of its route, as the route table gave them when the
 * exchange started: a reload of the routes file changes neither for an exchange under way.
 *
 * @param label   the first label of the request's host, e.g. {@code api}
 * @param target  the backend it goes to
 * @param options the options its line of the routes file sets ({@link RouteOptions#NONE}: none)
 */
public record Route(String label, BackendTarget target, RouteOptions options) implements RoutingDecision {
    /** The backend's host name, as logs and error messages name it. */
    public String backendName() {
        return target.host();
    }
}
