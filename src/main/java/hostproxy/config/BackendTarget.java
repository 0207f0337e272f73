package hostproxy.config;

/**
 * Where an explicit route sends a label: scheme, host and port of the backend, and a base path
 * prefixed to every forwarded path ({@code ""} for none; never ends with {@code /}).
 */
public record BackendTarget(String scheme, String host, int port, String basePath) {
    /** As a route names it: {@code http://api-v2:9000/base}, {@code http://[fd00::7]:81}. */
    public String uri() {
        return scheme + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + basePath;
    }
}
