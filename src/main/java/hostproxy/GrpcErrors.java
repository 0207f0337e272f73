package hostproxy;

import hostproxy.relay.ProxyError;
import hostproxy.relay.ResponseTrailers;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * hostproxy's own errors, as a gRPC client reads them: a gRPC call that the proxy itself cannot relay
 * gets gRPC's "Trailers-Only" answer (HTTP {@code 200}, {@code content-type: application/grpc},
 * {@code grpc-status} and {@code grpc-message}), as Envoy answers one, instead of an HTTP error a gRPC
 * client can only report as {@code INTERNAL} or {@code UNKNOWN}. Codes follow gRPC's HTTP-to-gRPC
 * mapping (https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md), except where
 * a proxy knows better: a response timeout is {@code DEADLINE_EXCEEDED}, a body over the limit or an
 * overload {@code RESOURCE_EXHAUSTED}.
 */
final class GrpcErrors {
    private static final int DEADLINE_EXCEEDED = 4;
    private static final int UNKNOWN = 2;
    private static final int PERMISSION_DENIED = 7;
    private static final int RESOURCE_EXHAUSTED = 8;
    private static final int UNIMPLEMENTED = 12;
    private static final int INTERNAL = 13;
    private static final int UNAVAILABLE = 14;
    private static final String GRPC = "application/grpc";
    private static final String GRPC_WEB = "application/grpc-web";

    private GrpcErrors() {
    }

    /**
     * Whether the request is a gRPC call ({@code application/grpc}, {@code application/grpc+proto} ...;
     * gRPC-Web's {@code application/grpc-web…} is not: its status goes in the body).
     */
    static boolean isGrpc(HttpServletRequest request) {
        String type = request.getContentType(); // asked of every exchange when it is counted: no copy made
        return type != null && type.regionMatches(true, 0, GRPC, 0, GRPC.length())
                && !type.regionMatches(true, 0, GRPC_WEB, 0, GRPC_WEB.length());
    }

    /** The gRPC status code for one of hostproxy's errors. */
    static int code(ProxyError error) {
        if (error.kind().equals("overloaded")) {
            return RESOURCE_EXHAUSTED;
        }
        if (error.kind().equals("connect_timeout")) {
            return UNAVAILABLE; // nothing reached the backend: a client may retry it (gRPC retries UNAVAILABLE)
        }
        return switch (error.status()) {
            case 400 -> INTERNAL;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED; // a label that is not allowed: no such service here
            case 408, 504 -> DEADLINE_EXCEEDED;
            case 413 -> RESOURCE_EXHAUSTED;
            case 502, 503 -> UNAVAILABLE;
            default -> UNKNOWN;
        };
    }

    /**
     * Sets the answer on the response: status {@code 200}, no body, and the gRPC status as trailers
     * (an empty body then trailers is what gRPC clients read as Trailers-Only: the servlet API cannot
     * end the stream with the head), or in the head for an HTTP/1.1 client that takes no trailers.
     */
    static void answer(ProxyError error, HttpServletRequest request, HttpServletResponse response) {
        Map<String, String> status = Map.of("grpc-status", Integer.toString(code(error)),
                "grpc-message", percentEncode(error.reason()));
        response.setStatus(200);
        response.setContentType("application/grpc");
        if (ResponseTrailers.accepts(request)) {
            response.setTrailerFields(() -> status);
        } else {
            status.forEach(response::setHeader);
            response.setContentLength(0);
        }
    }

    /**
     * {@code grpc-message} is percent-encoded UTF-8: every byte outside printable ASCII, and
     * {@code %} itself (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md#responses).
     */
    static String percentEncode(String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.write(c);
            } else {
                out.writeBytes(String.format("%%%02X", c).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
