package hostproxy.container;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.WebConnection;
import java.lang.reflect.Field;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes an upgraded client connection from any thread. {@code WebConnection.close()} is enough on
 * containers that act on it at once; Tomcat (10.1, 11) only marks its streams closed and drops the
 * socket the next time one of its own threads handles the connection, which an idle client never
 * causes (a backend that goes away silently would leave the client connected). There the socket
 * wrapper behind the output stream is closed too, as Tomcat's own WebSocket implementation does
 * from application threads.
 *
 * <p>A close that may have left the client connected is a WARNING: that client would wait for its
 * own timeout, with nothing else to show why. One that fails on a connection closed anyway (the
 * client had gone; Tomcat's socket is closed just after) stays at FINE.
 */
public final class ClientClose {
    private static final Logger LOG = Logger.getLogger(ClientClose.class.getName());
    private static final String TOMCAT_UPGRADE_OUTPUT = "org.apache.coyote.http11.upgrade.UpgradeServletOutputStream";

    private ClientClose() {
    }

    /** @param who the exchange, for the log line */
    public static void close(Object who, WebConnection connection, ServletOutputStream out) {
        boolean tomcat = out != null && out.getClass().getName().equals(TOMCAT_UPGRADE_OUTPUT);
        try {
            connection.close();
        } catch (Exception e) {
            LOG.log(tomcat ? Level.FINE : Level.WARNING, e,
                    () -> who + ": closing the client's upgraded connection failed; the client may stay connected");
        }
        if (tomcat) {
            tomcatClose(who, out);
        }
    }

    private static void tomcatClose(Object who, ServletOutputStream out) {
        try {
            Field wrapper = out.getClass().getDeclaredField("socketWrapper");
            wrapper.setAccessible(true);
            Object socket = wrapper.get(out);
            socket.getClass().getMethod("close").invoke(socket);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, e, () -> who + ": closing the client's socket (Tomcat's socket wrapper) failed; "
                    + "the client stays connected until it or Tomcat times out");
        }
    }
}
