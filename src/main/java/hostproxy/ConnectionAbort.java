package hostproxy;

import hostproxy.relay.ResponseAbortedException;
import jakarta.servlet.http.HttpServletRequest;
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
final class ConnectionAbort {
    private static final Logger LOG = Logger.getLogger(ConnectionAbort.class.getName());

    private ConnectionAbort() {
    }

    static void abort(HttpServletRequest request, ResponseAbortedException why)
            throws ResponseAbortedException {
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
