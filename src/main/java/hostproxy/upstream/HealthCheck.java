package hostproxy.upstream;

/**
 * The active health check of one backend name: {@code GET path} to each of its addresses, with the
 * name as Host. Given per name, so that a route can bring its own path.
 *
 * @param scheme {@code http} or {@code https}
 * @param port   the backend's port
 * @param path   path (and query) to ask, e.g. {@code /health}
 */
public record HealthCheck(String scheme, int port, String path) {
}
