package hostproxy.config;

/** How requests for one backend name are spread over its addresses. */
public enum Balancing {
    /** Each address in turn. */
    ROUND_ROBIN("round-robin"),
    /** The one with fewer requests in flight of two picked at random ("power of two choices"). */
    LEAST_REQUESTS("least-requests");

    private final String key;

    Balancing(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
