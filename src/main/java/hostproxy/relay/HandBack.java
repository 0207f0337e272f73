package hostproxy.relay;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.logging.Logger;

/**
 * Gives one asynchronous exchange back to the container, in one of the two ways the Servlet API
 * allows from another thread: {@code complete()}, or a dispatch whose servlet throws, which makes
 * the container drop the client's connection ({@link Relay#ABORTED}). From then on the exchange's
 * servlet objects are the container's: the gate is shut.
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
        handBack(() -> {
            request.setAttribute(Relay.ABORTED, new ResponseAbortedException(why));
            async.dispatch(Relay.DISPATCH_PATH);
        });
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
