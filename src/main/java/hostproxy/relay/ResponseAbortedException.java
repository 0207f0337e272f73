package hostproxy.relay;

import java.io.IOException;

/**
 * Thrown out of the servlet when a backend broke off a response whose head has already reached
 * the client. Every servlet container answers an exception after commit by closing the connection
 * without completing the message (no final chunk, fewer bytes than Content-Length), so the client
 * sees an incomplete response instead of a truncated one that looks complete.
 */
public final class ResponseAbortedException extends IOException {
    private static final long serialVersionUID = 1L;

    ResponseAbortedException(String message) {
        super(message, null);
        setStackTrace(new StackTraceElement[0]);
    }
}
