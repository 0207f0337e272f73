package hostproxy.container;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.WebConnection;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes an upgraded client connection from any thread. {@code WebConnection.close()} is enough on
 * containers that act on it at once; Tomcat (10.1, 11) only marks its streams closed and drops the
 * socket the next time one of its own threads handles the connection, which an idle client never
 * causes (a backend that goes away silently would leave the client connected). There one of its
 * threads is made to handle the connection at once ({@code SocketWrapperBase.processSocket}), and
 * it closes the socket as its own close would.
 *
 * <p>Not by closing Tomcat's socket wrapper from this thread, as Tomcat's own WebSocket code does:
 * when one of Tomcat's threads is handling the connection at that moment (the client's last bytes,
 * a close frame), it has taken the connection's processor off the socket, so the close cannot
 * release it, and it then puts the processor back among those waiting for an event on a socket
 * that is closed: about one WebSocket session in a hundred stayed on the heap for good (its tunnel,
 * processor and buffers, some 11 KiB; docs/reliability.md). An event instead queues behind
 * whatever handles the connection now, and finds the streams closed.
 *
 * <p>A close that may have left the client connected is a WARNING: that client would wait for its
 * own timeout, with nothing else to show why. One that fails on a connection closed anyway (the
 * client had gone; Tomcat's socket is closed just after) stays at FINE.
 */
public final class ClientClose {
    private static final Logger LOG = Logger.getLogger(ClientClose.class.getName());
    private static final String TOMCAT_UPGRADE_OUTPUT = "org.apache.coyote.http11.upgrade.UpgradeServletOutputStream";
    /** Tomcat's pieces, looked up when the first tunnel ends (only on Tomcat). */
    private static volatile TomcatSocket tomcatSocket;

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
            TomcatSocket t = tomcatSocket;
            if (t == null) {
                tomcatSocket = t = TomcatSocket.of(out.getClass()); // a race looks it up twice, alike
            }
            t.processSocket.invoke(t.wrapper.get(out), t.openRead, true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, e, () -> who + ": having Tomcat close the client's socket failed; "
                    + "the client stays connected until it or Tomcat times out");
        }
    }

    /** The output stream's socket wrapper, and how to have one of Tomcat's threads handle it ({@code OPEN_READ}, dispatched). */
    private record TomcatSocket(Field wrapper, Method processSocket, Object openRead) {
        static TomcatSocket of(Class<?> upgradeOutput) throws ReflectiveOperationException {
            Field wrapper = upgradeOutput.getDeclaredField("socketWrapper");
            wrapper.setAccessible(true);
            Class<?> socketWrapperBase = wrapper.getType();
            Class<?> events = Class.forName("org.apache.tomcat.util.net.SocketEvent", false, socketWrapperBase.getClassLoader());
            return new TomcatSocket(wrapper, socketWrapperBase.getMethod("processSocket", events, boolean.class),
                    events.getField("OPEN_READ").get(null));
        }
    }
}
