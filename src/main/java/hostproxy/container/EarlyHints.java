package hostproxy.container;

import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.core5.http.Header;

/**
 * Passes a backend's {@code 103 Early Hints} (RFC 8297) to the client where the container can send
 * one: Servlet 6.1's {@code sendEarlyHints()} (Tomcat 11, Jetty 12.1), or Tomcat 10.1's
 * {@code org.apache.catalina.connector.Response.sendEarlyHints()} behind its facade. Elsewhere the
 * hints are dropped, which is harmless: they are hints, and the final response follows.
 */
public final class EarlyHints {
    private static final Logger LOG = Logger.getLogger(EarlyHints.class.getName());

    private EarlyHints() {
    }

    /** Sends the hints now, with the headers of the 103 (only while the response is not committed). */
    public static void send(HttpServletResponse response, Header[] hints) {
        if (response.isCommitted()) {
            return;
        }
        Method send = sendEarlyHints(response);
        if (send == null) {
            return;
        }
        for (Header h : hints) {
            response.addHeader(h.getName(), h.getValue());
        }
        try {
            send.invoke(response);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "sending 103 Early Hints failed", e);
        } finally {
            for (Header h : hints) { // the hints are not the final response's headers
                response.setHeader(h.getName(), null);
            }
        }
    }

    private static Method sendEarlyHints(HttpServletResponse response) {
        try {
            return response.getClass().getMethod("sendEarlyHints");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
