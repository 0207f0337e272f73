package hostproxy.config;

/**
 * Where an explicit route sends a label: scheme, host and port of the backend, and a base path
 * prefixed to every forwarded path ({@code ""} for none; never ends with {@code /}).
 */
public record BackendTarget(String scheme, String host, int port, String basePath) {
}
