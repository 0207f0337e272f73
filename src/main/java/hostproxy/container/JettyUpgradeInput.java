package hostproxy.container;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Jetty 12.1 (ee10) gives an upgraded connection an input that has already ended when the Upgrade
 * request came without any body framing: no {@code Content-Length} and no {@code Transfer-Encoding},
 * which is how browsers send a WebSocket handshake, and the JDK's WebSocket client since JDK 19
 * (up to JDK 18 it sent {@code Content-Length: 0}).
 *
 * <p>For such a request Jetty's {@code HttpConnection} parses the message to its end before it even
 * calls the servlet (its request buffer is empty and no body is expected), and the stream keeps the
 * resulting end-of-content chunk ({@code Content.Chunk.EOF}, which stays once read). {@code
 * HttpUpgradeHandler.init} comes after {@code startTunnel()}, which puts the parser into tunnel mode
 * (content up to the end of the connection) but leaves that chunk in place: the first read of the
 * upgraded input returns -1, the client's bytes are never read, and once the exchange completes Jetty
 * parses them as the next HTTP request and answers it with a {@code 400} inside the tunnel. With
 * {@code Content-Length: 0} the message end is only parsed on the first read, after
 * {@code startTunnel()}, and the tunnel works; that is the one difference.
 *
 * <p>Once the tunnel has started ({@link #reopen}, from {@code init}, before the first read), the
 * stale chunk is dropped when, and only when, the parser is in tunnel mode ({@code EOF_CONTENT}) and
 * the stream still holds exactly {@code Content.Chunk.EOF}: reads then go to the parser, as they do for
 * a request that came with {@code Content-Length: 0}. Nothing is touched on other containers, nor
 * when Jetty's classes look different (a warning names the tunnels that may then fail).
 */
public final class JettyUpgradeInput {
    private static final Logger LOG = Logger.getLogger(JettyUpgradeInput.class.getName());
    private static final String HTTP_CONNECTION = "org.eclipse.jetty.server.internal.HttpConnection";
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private final Object connection;

    private JettyUpgradeInput(Object connection) {
        this.connection = connection;
    }

    /** The Jetty HTTP/1.1 connection {@code request} came on, or {@code null} on any other container. */
    public static JettyUpgradeInput of(ServletRequest request) {
        ServletRequest r = request;
        while (r instanceof ServletRequestWrapper wrapper) {
            r = wrapper.getRequest();
        }
        if (!r.getClass().getName().startsWith("org.eclipse.jetty.")) {
            return null;
        }
        try {
            Object core = call(r, "getRequest"); // ServletApiRequest -> the core Request
            ClassLoader jetty = core.getClass().getClassLoader();
            Method metaData = Class.forName("org.eclipse.jetty.server.Request", false, jetty)
                    .getMethod("getConnectionMetaData");
            Object connection = metaData.invoke(core);
            if (connection == null || !connection.getClass().getName().equals(HTTP_CONNECTION)) {
                return null; // not HTTP/1.1 (no upgrade there)
            }
            return new JettyUpgradeInput(connection);
        } catch (ReflectiveOperationException | RuntimeException e) {
            warn(e);
            return null;
        }
    }

    /**
     * Drops the end of the request's (empty) body that Jetty recorded before the tunnel started, so
     * that the upgraded input reads the client's bytes. To be called in {@code HttpUpgradeHandler.init},
     * before the input is read or given a listener; does nothing when there is nothing to drop.
     *
     * @return whether the end was dropped
     */
    public boolean reopen() {
        try {
            Object parser = call(connection, "getParser");
            if (!"EOF_CONTENT".equals(String.valueOf(call(parser, "getState")))) {
                return false; // the connection is not in tunnel mode: leave it alone
            }
            Object stream = ((AtomicReference<?>) field(connection.getClass(), "_stream").get(connection)).get();
            if (stream == null) {
                return false;
            }
            Field chunk = field(stream.getClass(), "_chunk");
            Object eof = Class.forName("org.eclipse.jetty.io.Content$Chunk", false, stream.getClass().getClassLoader())
                    .getField("EOF").get(null);
            if (chunk.get(stream) != eof) {
                return false; // nothing read ahead (the request had Content-Length: 0), or real content
            }
            chunk.set(stream, null);
            LOG.fine("Jetty had ended the upgraded connection's input before the tunnel started"
                    + " (an Upgrade request without Content-Length): its input is read again");
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            warn(e);
            return false;
        }
    }

    private static Object call(Object target, String name) throws ReflectiveOperationException {
        Method m = target.getClass().getMethod(name);
        m.trySetAccessible(); // a public method of a class that may not be public itself
        return m.invoke(target);
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    private static void warn(Exception e) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "hostproxy: this Jetty's classes are not the ones hostproxy knows (12.1): an Upgrade"
                    + " (WebSocket) request without Content-Length may get a tunnel whose client side ends at once", e);
        } else {
            LOG.log(Level.FINE, "Jetty's upgraded input could not be checked", e);
        }
    }
}
