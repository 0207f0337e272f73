package hostproxy.relay;

/**
 * What this proxy tells a backend about the request it forwards.
 *
 * @param clientAddress  the address of the client connected to us
 * @param scheme         {@code http} or {@code https}, as the client reached us
 * @param clientHost     the Host the client asked for, as sent ({@code api.example.com:8443})
 * @param port           the port the client addressed
 * @param httpVersion    the client's protocol version, e.g. {@code 1.1}
 * @param viaToken       this instance's pseudonym for {@code Via}
 * @param backendHost    the Host header to send, or {@code null} to let the client library name
 *                       the backend itself ({@code preserveHost=false})
 * @param peerTrusted    the peer is one of {@code trustedProxies}: its forwarding headers are kept
 *                       and extended; otherwise they are replaced with what this proxy saw
 */
public record Forwarding(String clientAddress, String scheme, String clientHost, int port, String httpVersion,
        String viaToken, String backendHost, boolean peerTrusted) {
    /** From a peer that is not a trusted proxy. */
    public Forwarding(String clientAddress, String scheme, String clientHost, int port, String httpVersion,
            String viaToken, String backendHost) {
        this(clientAddress, scheme, clientHost, port, httpVersion, viaToken, backendHost, false);
    }
}
