package hostproxy;

import hostproxy.relay.Exchange;
import hostproxy.relay.ProxyError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one place that answers a failed exchange and logs it, once. */
final class ErrorResponses {
    private static final Logger LOG = Logger.getLogger(ErrorResponses.class.getName());

    private ErrorResponses() {
    }

    /**
     * Sets the error's status and headers on the response and returns its body: a small HTML page
     * when the client accepts {@code text/html}, else one line of plain text; for a gRPC call, gRPC's
     * own answer ({@link GrpcErrors}) with no body. Backend failures and loops are logged at WARNING;
     * what a client caused (a bad request, a name DNS does not know) only at FINE, so that bad input
     * cannot flood the log.
     *
     * @param client the real client address (see {@code trustedProxies}) for the log, or {@code null}
     * @param request the request, for its {@code Accept} header and protocol
     * @param pages  the HTML pages, or {@code null} for plain text always
     * @return the body to write; empty when the response was committed already (nothing is changed)
     */
    static byte[] answer(Exchange exchange, String client, ProxyError error, HttpServletRequest request,
            ErrorPages pages, HttpServletResponse response) {
        Level level = error.backendFault() || error.status() == 508 ? Level.WARNING : Level.FINE;
        String from = client == null ? "" : " from " + client;
        LOG.log(level, () -> exchange + from + " -> " + error.status() + ": " + error.logLine());
        if (response.isCommitted()) {
            return new byte[0];
        }
        if (!request.isAsyncStarted()) {
            // (Asynchronous: nothing was set yet, and Tomcat 10.1's reset() drops the write listener.)
            response.reset();
        }
        response.setHeader(RequestIds.HEADER, exchange.requestId());
        if (error.retryAfterSeconds() > 0) {
            response.setHeader("Retry-After", Integer.toString(error.retryAfterSeconds()));
        }
        if (GrpcErrors.isGrpc(request)) {
            GrpcErrors.answer(error, request, response);
            exchange.trace().grpcStatus(Integer.toString(GrpcErrors.code(error)));
            return new byte[0];
        }
        boolean html = pages != null && ErrorPages.acceptsHtml(request.getHeader("Accept"));
        byte[] body = (html ? pages.html(error.status(), error.reason()) : error.reason() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(error.status());
        response.setContentType(html ? "text/html;charset=UTF-8" : "text/plain;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Vary", "Accept");
        if ((error.status() == 413 || error.status() == 408) && !request.getProtocol().startsWith("HTTP/2")) {
            // The rest of the body is not worth reading (or waiting for). (HTTP/2 has no Connection field, RFC 9113
            // §8.2.2: a client must reject a response carrying one; the stream is reset instead.)
            response.setHeader("Connection", "close");
        }
        response.setContentLength(body.length);
        return body;
    }
}
