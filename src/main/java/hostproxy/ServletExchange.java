package hostproxy;

import hostproxy.relay.Forwarding;
import hostproxy.relay.HeaderField;
import hostproxy.relay.HeaderPolicy;
import hostproxy.relay.OutboundRequest;
import hostproxy.routing.ClientView;
import hostproxy.routing.RequestHead;
import hostproxy.routing.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Reads what the pure parts need from a servlet request: its head for routing, its raw target, headers and body. */
final class ServletExchange {
    private final HttpServletRequest request;
    private final String absoluteFormAuthority;

    ServletExchange(HttpServletRequest request) {
        this.request = request;
        this.absoluteFormAuthority = absoluteFormAuthority(request.getRequestURI());
    }

    RequestHead head() {
        return new RequestHead(Collections.list(request.getHeaders("Host")), absoluteFormAuthority,
                Collections.list(request.getHeaders("Via")));
    }

    OutboundRequest outbound(boolean preserveHost, String viaToken) throws IOException {
        return outbound(preserveHost, viaToken, false);
    }

    /** @param peerTrusted the peer is a trusted proxy: its forwarding headers are kept and extended */
    OutboundRequest outbound(boolean preserveHost, String viaToken, boolean peerTrusted) throws IOException {
        String clientHost = absoluteFormAuthority != null ? absoluteFormAuthority : request.getHeader("Host");
        String protocol = request.getProtocol();
        Forwarding forwarding = new Forwarding(request.getRemoteAddr(), request.getScheme(), clientHost,
                request.getServerPort(), protocol.substring(protocol.indexOf('/') + 1), viaToken,
                preserveHost ? clientHost : null, peerTrusted);
        List<HeaderField> headers = HeaderPolicy.toBackend(headers(), forwarding);
        long length = request.getContentLengthLong();
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        InputStream body = length > 0 || chunked ? request.getInputStream() : length == 0 ? InputStream.nullInputStream() : null;
        return new OutboundRequest(request.getMethod(), rawTarget(), headers, body, chunked ? -1 : length);
    }

    /** The client as far as the trusted proxies let this proxy see it. */
    ClientView client(TrustedProxies trusted) {
        String host = absoluteFormAuthority != null ? absoluteFormAuthority : request.getHeader("Host");
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
