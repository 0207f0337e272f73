package hostproxy.routing;

/**
 * Who is asking, as far as this proxy can trust it.
 *
 * @param address          the real client address: the peer's, or behind trusted proxies the
 *                         right-most {@code X-Forwarded-For} entry that is not one of them
 * @param https            whether the client used HTTPS: the connection's scheme, or a trusted
 *                         proxy's {@code X-Forwarded-Proto} / {@code Forwarded: proto=}
 * @param publicHost       the authority the client asked for ({@code app.example.com:8443}), a
 *                         trusted proxy's {@code X-Forwarded-Host} when it gave one
 * @param viaTrustedProxy  whether the peer is a trusted proxy, whose forwarding headers are kept
 */
public record ClientView(String address, boolean https, String publicHost, boolean viaTrustedProxy) {
    public String scheme() {
        return https ? "https" : "http";
    }
}
