package hostproxy;

import hostproxy.relay.Exchange;
import hostproxy.relay.ProxyError;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one place that answers a failed exchange and logs it, once. */
final class ErrorResponses {
    private static final Logger LOG = Logger.getLogger(ErrorResponses.class.getName());

    private ErrorResponses() {
    }

    /**
     * Answers with the error's status and its reason as short plain text. Backend failures and
     * loops are logged at WARNING; what a client caused (a bad request, a name DNS does not know)
     * only at FINE, so that bad input cannot flood the log.
     */
    static void send(Exchange exchange, ProxyError error, HttpServletResponse response) {
        Level level = error.backendFault() || error.status() == 508 ? Level.WARNING : Level.FINE;
        LOG.log(level, () -> exchange + " -> " + error.status() + ": " + error.logLine());
        if (response.isCommitted()) {
            return;
        }
        byte[] body = (error.reason() + "\n").getBytes(StandardCharsets.UTF_8);
        response.reset();
        response.setStatus(error.status());
        response.setContentType("text/plain;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader(RequestIds.HEADER, exchange.requestId());
        response.setContentLength(body.length);
        try {
            response.getOutputStream().write(body);
        } catch (IOException e) {
            LOG.fine(() -> exchange + ": client went away before the error response: " + e);
        }
    }
}
