package hostproxy.routing;

/** What the router decided: a {@link Route} to a backend, or a {@link Rejection}. */
public sealed interface RoutingDecision permits Route, Rejection {
}
