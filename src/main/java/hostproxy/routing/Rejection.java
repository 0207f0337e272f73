package hostproxy.routing;

/** A request that is not forwarded: the status to answer and a one-line reason. */
public record Rejection(int status, String reason) implements RoutingDecision {
    static Rejection badRequest(String reason) {
        return new Rejection(400, reason);
    }

    static Rejection noService() {
        return new Rejection(404, "no service for this host");
    }
}
