package hostproxy.container;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Requests the container serves inside one of the relay's own calls, moved to a container thread.
 *
 * <p>On Tomcat (HTTP/1.1), setting a write listener off a container thread runs what it triggers on
 * the calling thread at once (the relay's {@code ClientResponse}): the response's first writes, its completion,
 * and then the next request the client pipelined behind it. The calling thread is a backend I/O
 * thread (or the idle watch's), which must never wait, and serving a request may: routing can wait
 * for DNS, an error answer is a blocking write. Such a request only goes asynchronous there; once
 * the call has returned, and the container has let go of the connection, it is dispatched to a
 * container thread and served from the start, with the path and query it came with.
 *
 * <p>What Tomcat answers itself to a pipelined request, before any servlet (a {@code 400} for one it
 * cannot parse, {@code 100 Continue}), it still writes on the calling thread: small writes, and
 * Tomcat closes a connection it answered {@code 400}.
 */
public final class ServletReentry {
    private static final Logger LOG = Logger.getLogger(ServletReentry.class.getName());
    /**
     * Where the proxy's own dispatches go ({@code AsyncContext.dispatch}): a path the servlet's
     * mapping ({@code /*}) always takes; the servlet tells them apart by their request attributes
     * (this class's, {@link ConnectionAbort}'s). The request's own path would be decoded and
     * normalised first, and one that climbs above the root ({@code /..%2F..%2F}, which hostproxy
     * relays as sent) would not dispatch at all.
     */
    static final String DISPATCH_PATH = "/";
    /** Request attribute: the request was moved here from inside a relay call; its target as sent. */
    private static final String MOVED = "hostproxy.moved";
    private static final ThreadLocal<List<AsyncContext>> MOVING = new ThreadLocal<>();

    private ServletReentry() {
    }

    /** Runs a container call that may serve requests on this thread; they are dispatched after it. */
    public static void guard(Runnable call) {
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
                dispatch(async);
            }
        }
    }

    private static void dispatch(AsyncContext async) {
        try {
            async.dispatch(DISPATCH_PATH);
        } catch (RuntimeException over) { // the client left meanwhile, and the container ended the request
            LOG.fine(() -> "a pipelined request ended before it was served: " + over);
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
        request.setAttribute(MOVED, new Target(request.getRequestURI(), request.getQueryString()));
        moving.add(request.startAsync());
        return true;
    }

    /**
     * @return for a request set aside by {@link #setAsideIfInside}, once: the request as it came
     *         (the dispatch went to a fixed path), to be served now; {@code null} for any other
     */
    public static HttpServletRequest takeSetAside(HttpServletRequest request) {
        if (!(request.getAttribute(MOVED) instanceof Target target)) {
            return null;
        }
        request.removeAttribute(MOVED);
        return new AsSent(request, target);
    }

    private record Target(String uri, String query) {
    }

    /** The request with the path and query it was sent with, not those of the dispatch. */
    private static final class AsSent extends HttpServletRequestWrapper {
        private final Target target;

        AsSent(HttpServletRequest request, Target target) {
            super(request);
            this.target = target;
        }

        @Override
        public String getRequestURI() {
            return target.uri();
        }

        @Override
        public String getQueryString() {
            return target.query();
        }
    }
}
