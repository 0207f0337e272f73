package hostproxy.config;

/**
 * Where an explicit route sends a label: scheme, host and port of the backend, a base path
 * prefixed to every forwarded path ({@code ""} for none; never ends with {@code /}), and the HTTP
 * version spoken to it.
 *
 * @param scheme   {@code http} or {@code https}, also for an HTTP/2 target ({@link BackendProtocol})
 * @param protocol HTTP/1.1, or HTTP/2 for a target written {@code h2c://} or {@code h2://}
 */
public record BackendTarget(String scheme, String host, int port, String basePath, BackendProtocol protocol) {
    /** An HTTP/1.1 target. */
    public BackendTarget(String scheme, String host, int port, String basePath) {
        this(scheme, host, port, basePath, BackendProtocol.HTTP_1_1);
    }

    /** As a route names it: {@code http://api-v2:9000/base}, {@code h2c://grpcsvc:50051}, {@code http://[fd00::7]:81}. */
    public String uri() {
        return protocol.word(scheme) + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + basePath;
    }
}
