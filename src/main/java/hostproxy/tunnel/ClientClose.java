package hostproxy.tunnel;

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
 */
final class ClientClose {
    private static final Logger LOG = Logger.getLogger(ClientClose.class.getName());

    private ClientClose() {
    }

    static void close(WebConnection connection, ServletOutputStream out) {
        try {
            connection.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "closing the client connection failed", e);
        }
        if (out != null && out.getClass().getName().equals("org.apache.coyote.http11.upgrade.UpgradeServletOutputStream")) {
            tomcatClose(out);
        }
    }

    private static void tomcatClose(ServletOutputStream out) {
        try {
            Field wrapper = out.getClass().getDeclaredField("socketWrapper");
            wrapper.setAccessible(true);
            Object socket = wrapper.get(out);
            socket.getClass().getMethod("close").invoke(socket);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "closing the client connection the Tomcat way failed", e);
        }
    }
}
