package hostproxy;

import hostproxy.relay.ClientBody;
import hostproxy.relay.Forwarding;
import hostproxy.relay.HeaderField;
import hostproxy.relay.HeaderPolicy;
import hostproxy.relay.OutboundRequest;
import hostproxy.routing.ClientView;
import hostproxy.routing.RequestHead;
import hostproxy.routing.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Reads what the pure parts need from a servlet request: its head for routing, its raw target, headers and body. */
final class ServletExchange {
    private final HttpServletRequest request;
    private final boolean http2;
    private final String absoluteFormAuthority;
    private final String http2Authority;

    ServletExchange(HttpServletRequest request) {
        this.request = request;
        this.http2 = request.getProtocol().startsWith("HTTP/2");
        this.absoluteFormAuthority = http2 ? null : absoluteFormAuthority(request.getRequestURI());
        this.http2Authority = http2 ? http2Authority(request) : null;
    }

    /**
     * HTTP/1.0, 1.1 and 2 are relayed. An HTTP/0.9 request (no version: no headers, and an answer
     * without status line) never is; a container that passes one on reports its protocol as such.
     */
    boolean protocolSupported() {
        String protocol = request.getProtocol();
        return http2 || protocol.equals("HTTP/1.1") || protocol.equals("HTTP/1.0");
    }

    RequestHead head() {
        return new RequestHead(Collections.list(request.getHeaders("Host")), absoluteFormAuthority,
                Collections.list(request.getHeaders("Via")), http2Authority);
    }

    OutboundRequest outbound(boolean preserveHost, String viaToken) throws IOException {
        return outbound(preserveHost, viaToken, false);
    }

    /** @param peerTrusted the peer is a trusted proxy: its forwarding headers are kept and extended */
    OutboundRequest outbound(boolean preserveHost, String viaToken, boolean peerTrusted) throws IOException {
        String clientHost = clientHost();
        Forwarding forwarding = new Forwarding(request.getRemoteAddr(), request.getScheme(), clientHost,
                request.getServerPort(), http2 ? "2" : request.getProtocol().substring(request.getProtocol().indexOf('/') + 1), viaToken,
                preserveHost ? clientHost : null, peerTrusted);
        List<HeaderField> headers = HeaderPolicy.toBackend(headers(), forwarding);
        return new OutboundRequest(request.getMethod(), rawTarget(), headers, body());
    }

    /** The request's body, or {@code null} when it has none. */
    private ClientBody body() throws IOException {
        long length = request.getContentLengthLong();
        if (length >= 0) {
            return length == 0 ? null : new ClientBody(request.getInputStream(), length, false, this::trailers);
        }
        if (http2) {
            // HTTP/2 frames bodies itself: a request without Content-Length may still carry one.
            return new ClientBody(request.getInputStream(), -1, true, this::trailers);
        }
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        return chunked ? new ClientBody(request.getInputStream(), -1, false, this::trailers) : null; // RFC 9112 §6.3: no body
    }

    /**
     * The request's trailer fields, once its body has been read to the end. Tomcat hands over only
     * those its connector's {@code allowedTrailerHeaders} names (none by default).
     */
    private Map<String, String> trailers() {
        return request.isTrailerFieldsReady() ? request.getTrailerFields() : Map.of();
    }

    /**
     * An HTTP/2 request's {@code :authority}, which containers present as the server name and port
     * rather than as a {@code Host} header (RFC 9113 §8.3.1). The port only when the client gave
     * one: Tomcat reports the scheme's default port when it did not.
     */
    private static String http2Authority(HttpServletRequest request) {
        String name = request.getServerName();
        if (name.indexOf(':') >= 0 && !name.startsWith("[")) {
            name = "[" + name + "]"; // an IPv6 literal
        }
        int port = request.getServerPort();
        boolean defaultPort = port == (request.isSecure() ? 443 : 80) || port <= 0;
        return defaultPort ? name : name + ":" + port;
    }

    /** The authority the client asked for: HTTP/2's {@code :authority}, an absolute-form target's, or Host. */
    private String clientHost() {
        return http2 ? http2Authority : absoluteFormAuthority != null ? absoluteFormAuthority : request.getHeader("Host");
    }

    /** The client as far as the trusted proxies let this proxy see it. */
    ClientView client(TrustedProxies trusted) {
        String host = clientHost();
        return trusted.view(request.getRemoteAddr(), request.getScheme(), host == null ? "" : host,
                name -> Collections.list(request.getHeaders(name)));
    }

    /**
     * Path and query exactly as the client sent them. {@code getRequestURI()} is the raw, undecoded
     * path (Servlet 6.0 §3.6); {@code getServletPath()} would be decoded and normalised.
     */
    private String rawTarget() {
        String path = request.getRequestURI();
        if (absoluteFormAuthority != null) {
            int slash = path.indexOf('/', path.indexOf("//") + 2);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        String query = request.getQueryString();
        return query == null ? path : path + "?" + query;
    }

    private List<HeaderField> headers() {
        List<HeaderField> fields = new ArrayList<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            for (String value : Collections.list(request.getHeaders(name))) {
                fields.add(new HeaderField(name, value));
            }
        }
        return fields;
    }

    /**
     * The authority of an absolute-form target ({@code GET http://api.example.com/x}), when the
     * container passes one through; it wins over Host (RFC 9112 §3.2.2).
     */
    private static String absoluteFormAuthority(String requestUri) {
        if (!requestUri.regionMatches(true, 0, "http://", 0, 7) && !requestUri.regionMatches(true, 0, "https://", 0, 8)) {
            return null;
        }
        int start = requestUri.indexOf("//") + 2;
        int end = requestUri.indexOf('/', start);
        return requestUri.substring(start, end < 0 ? requestUri.length() : end);
    }
}
