package hostproxy.routing;

import java.util.List;

/**
 * What routing needs to know of a request, taken from it once by the servlet.
 *
 * @param hostHeaders           every {@code Host} header field value, in order
 * @param absoluteFormAuthority the authority of an absolute-form request target
 *                              ({@code GET http://api.example.com/x}), or {@code null}
 * @param viaHeaders            every {@code Via} header field value, in order
 * @param http2Authority        an HTTP/2 request's {@code :authority} ({@code host[:port]}), or
 *                              {@code null} for HTTP/1.x
 */
public record RequestHead(List<String> hostHeaders, String absoluteFormAuthority, List<String> viaHeaders,
        String http2Authority) {
    public RequestHead {
        hostHeaders = List.copyOf(hostHeaders);
        viaHeaders = List.copyOf(viaHeaders);
    }

    /** An HTTP/1.x request's head. */
    public RequestHead(List<String> hostHeaders, String absoluteFormAuthority, List<String> viaHeaders) {
        this(hostHeaders, absoluteFormAuthority, viaHeaders, null);
    }
}
