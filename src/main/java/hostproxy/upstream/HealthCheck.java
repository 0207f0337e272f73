package hostproxy.upstream;

import hostproxy.config.BackendProtocol;

/**
 * The active health check of one backend name: {@code GET path} to each of its addresses, with the
 * name as Host. Given per name, so that a route can bring its own path.
 *
 * @param scheme   {@code http} or {@code https}
 * @param port     the backend's port
 * @param path     path (and query) to ask, e.g. {@code /health}
 * @param protocol the backend's protocol: an {@code h2c}/{@code h2} backend is checked over HTTP/2,
 *                 as it is relayed to (an HTTP/2-only server would fail every HTTP/1.1 check)
 */
public record HealthCheck(String scheme, int port, String path, BackendProtocol protocol) {
}
