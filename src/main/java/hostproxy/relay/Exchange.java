package hostproxy.relay;

/**
 * One proxied request, as log lines name it: {@code #42 GET /v1/users}. The query is left out of
 * logs: it may carry tokens.
 */
public record Exchange(long id, String method, String path) {
    @Override
    public String toString() {
        return "#" + id + " " + method + " " + path;
    }
}
