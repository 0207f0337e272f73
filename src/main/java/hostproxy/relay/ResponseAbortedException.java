package hostproxy.relay;

import java.io.IOException;

/**
 * A backend broke off a response whose head has already reached the client. The servlet must then
 * drop the client's connection without completing the message (no last chunk, fewer bytes than
 * Content-Length), so that the client sees an incomplete response instead of a truncated one that
 * looks complete: see {@code hostproxy.container.ConnectionAbort} for how each container is made to.
 */
public final class ResponseAbortedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ResponseAbortedException(String message) {
        super(message, null);
        setStackTrace(new StackTraceElement[0]);
    }
}
