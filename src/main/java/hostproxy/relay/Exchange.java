package hostproxy.relay;

/**
 * One proxied request, as log lines name it: {@code #42 GET /v1/users [req 3f9a...]}. The query is
 * left out of logs: it may carry tokens.
 *
 * @param requestId the request id sent to the backend ({@code X-Request-Id})
 * @param trace     what the relay notes of it, for metrics and the access log
 */
public record Exchange(long id, String method, String path, String requestId, Trace trace) {
    /** An exchange whose request id does not matter (tests, and callers before one is known). */
    public Exchange(long id, String method, String path) {
        this(id, method, path, "-", new Trace());
    }

    @Override
    public String toString() {
        return "#" + id + " " + method + " " + path + " [req " + requestId + "]";
    }
}
