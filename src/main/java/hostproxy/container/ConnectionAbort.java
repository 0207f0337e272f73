package hostproxy.container;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ends a committed response by dropping its connection, so that the client sees the message
 * incomplete (no last chunk, fewer bytes than Content-Length) instead of a truncated body that
 * looks whole. The Servlet API has no call for this:
 * <ul>
 *   <li>Tomcat and Jetty close the connection at once when the servlet throws after commit, so
 *       the exception is rethrown;</li>
 *   <li>WildFly (Undertow) would complete the message instead: its request object exposes the
 *       exchange, whose connection is closed here.</li>
 * </ul>
 * The cross-container suite checks each ({@code FailuresCT}).
 */
public final class ConnectionAbort {
    private static final Logger LOG = Logger.getLogger(ConnectionAbort.class.getName());
    /** Request attribute: the connection is to be dropped, for this reason. */
    private static final String ABORT = "hostproxy.abort";

    private ConnectionAbort() {
    }

    /**
     * From any thread, for an asynchronous exchange: hands it back to the container with a dispatch
     * to the servlet, which calls {@link #carryOut} there, on a container thread.
     */
    public static void dispatch(AsyncContext async, ServletRequest request, IOException why) {
        request.setAttribute(ABORT, why);
        async.dispatch(ServletReentry.DISPATCH_PATH);
    }

    /**
     * In the servlet: drops the connection when this dispatch came from {@link #dispatch}.
     *
     * @throws IOException the reason, thrown where the container closes the connection for it
     */
    public static void carryOut(HttpServletRequest request) throws IOException {
        if (request.getAttribute(ABORT) instanceof IOException why) {
            abort(request, why);
        }
    }

    private static void abort(HttpServletRequest request, IOException why) throws IOException {
        if (!undertowAbort(request)) {
            throw why;
        }
    }

    private static boolean undertowAbort(HttpServletRequest request) {
        try {
            Method getExchange = request.getClass().getMethod("getExchange");
            Object exchange = getExchange.invoke(request);
            Object connection = exchange.getClass().getMethod("getConnection").invoke(exchange);
            connection.getClass().getMethod("close").invoke(connection);
            return true;
        } catch (NoSuchMethodException notUndertow) {
            return false;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "closing the client connection the Undertow way failed", e);
            return false;
        }
    }
}
