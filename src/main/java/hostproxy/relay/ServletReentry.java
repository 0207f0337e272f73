package hostproxy.relay;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Requests the container serves inside one of the relay's own calls, moved to a container thread.
 *
 * <p>On Tomcat (HTTP/1.1), setting a write listener off a container thread runs what it triggers on
 * the calling thread at once ({@link ClientResponse}): the response's first writes, its completion,
 * and then the next request the client pipelined behind it. The calling thread is a backend I/O
 * thread (or the idle watch's), which must never wait, and serving a request may: routing can wait
 * for DNS, an error answer is a blocking write. Such a request only goes asynchronous there; once
 * the call has returned, and the container has let go of the connection, it is dispatched to a
 * container thread and served from the start.
 */
public final class ServletReentry {
    private static final Logger LOG = Logger.getLogger(ServletReentry.class.getName());
    /** Request attribute: the request was moved here from inside a relay call. */
    private static final String MOVED = "hostproxy.moved";
    private static final ThreadLocal<List<AsyncContext>> MOVING = new ThreadLocal<>();

    private ServletReentry() {
    }

    /** Runs a container call that may serve requests on this thread; they are dispatched after it. */
    static void guard(Runnable call) {
        if (MOVING.get() != null) {
            call.run(); // nested: the outermost call dispatches
            return;
        }
        List<AsyncContext> moved = new ArrayList<>(0);
        MOVING.set(moved);
        try {
            call.run();
        } finally {
            MOVING.remove();
            for (AsyncContext async : moved) {
                try {
                    async.dispatch();
                } catch (RuntimeException over) { // the client left meanwhile, and the container ended it
                    LOG.fine(() -> "a pipelined request ended before it was served: " + over);
                }
            }
        }
    }

    /**
     * @return true if the container serves this request inside a relay call: it is set aside, to
     *         come back as an {@code ASYNC} dispatch, and the servlet returns at once
     */
    public static boolean setAsideIfInside(HttpServletRequest request) {
        List<AsyncContext> moving = MOVING.get();
        if (moving == null) {
            return false;
        }
        request.setAttribute(MOVED, Boolean.TRUE);
        moving.add(request.startAsync());
        return true;
    }

    /** @return true, once, for a request set aside by {@link #setAsideIfInside}: serve it now */
    public static boolean isSetAside(HttpServletRequest request) {
        if (request.getAttribute(MOVED) == null) {
            return false;
        }
        request.removeAttribute(MOVED);
        return true;
    }
}
