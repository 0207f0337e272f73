package hostproxy.routing;

import hostproxy.config.BackendTarget;

/**
 * A request's destination.
 *
 * @param label  the first label of the request's host, e.g. {@code api}
 * @param target the backend it goes to
 */
public record Route(String label, BackendTarget target) implements RoutingDecision {
    /** The backend's host name, as logs and error messages name it. */
    public String backendName() {
        return target.host();
    }
}
