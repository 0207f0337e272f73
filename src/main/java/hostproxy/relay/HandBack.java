package hostproxy.relay;

import hostproxy.container.ConnectionAbort;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.logging.Logger;

/**
 * Gives one asynchronous exchange back to the container, in one of the two ways the Servlet API
 * allows from another thread: {@code complete()}, or a dispatch after which the client's connection
 * is dropped ({@link ConnectionAbort}). From then on the exchange's servlet objects are the
 * container's: the gate is shut.
 */
final class HandBack {
    private static final Logger LOG = Logger.getLogger(HandBack.class.getName());
    private final ServletGate gate;
    private final AsyncContext async;
    private final HttpServletRequest request;
    private final Exchange exchange;

    HandBack(ServletGate gate, AsyncContext async, HttpServletRequest request, Exchange exchange) {
        this.gate = gate;
        this.async = async;
        this.request = request;
        this.exchange = exchange;
    }

    /** The container finishes the response. */
    void complete() {
        handBack(async::complete);
    }

    /** The container drops the client's connection, the response left incomplete. */
    void abort(String why) {
        handBack(() -> ConnectionAbort.dispatch(async, request, new ResponseAbortedException(why)));
    }

    /** Unless the container is completing the exchange already (an error it saw). */
    private void handBack(Runnable toContainer) {
        if (!gate.enter()) {
            return;
        }
        try {
            toContainer.run();
        } catch (IllegalStateException completing) {
            LOG.fine(() -> exchange + ": the container completed the exchange itself: " + completing.getMessage());
        } finally {
            gate.shut();
            gate.leave();
        }
    }
}
