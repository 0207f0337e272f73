package hostproxy.tunnel;

import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the container hands the upgraded client connection to once {@code service()} has returned
 * with a {@code 101}: it starts the tunnel that the handshake prepared. The container creates it
 * (hence public, with a no-argument constructor); the handshake attaches the tunnel.
 */
public final class TunnelHandler implements HttpUpgradeHandler {
    private static final Logger LOG = Logger.getLogger(TunnelHandler.class.getName());
    private volatile Tunnel tunnel;

    public TunnelHandler() {
        // created by the container
    }

    void attach(Tunnel t) {
        this.tunnel = t;
    }

    @Override
    public void init(WebConnection connection) {
        Tunnel t = tunnel;
        try {
            if (t == null || !t.isOpen()) {
                connection.close();
                return;
            }
            t.start(connection);
        } catch (Exception e) {
            LOG.log(Level.FINE, "starting a tunnel failed", e);
            if (t != null) {
                t.close("starting failed: " + e);
            }
        }
    }

    @Override
    public void destroy() {
        Tunnel t = tunnel;
        if (t != null) {
            t.close("the container closed the client connection");
        }
    }
}
