package hostproxy.it.support;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;

/** Starts a proxy whose admin port is a free loopback port chosen now, trying again if another process took it first. */
public final class AdminServers {
    private static final int TRIES = 5;

    private AdminServers() {
    }

    /** A proxy and the admin port it listens on. */
    public record Started(ProxyServer proxy, int adminPort) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            proxy.close();
        }
    }

    public static int freeLoopbackPort() {
        return FreePorts.freeOn("127.0.0.1");
    }

    public static Started start(Map<String, String> settings) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int port = freeLoopbackPort();
            Map<String, String> s = new HashMap<>(settings);
            s.put("adminPort", Integer.toString(port));
            s.putIfAbsent("adminAddress", "127.0.0.1");
            ProxyServer proxy = ProxyServer.start(s);
            boolean listening = proxy.log().messages(Level.INFO).stream()
                    .anyMatch(m -> m.contains("admin endpoints on http://127.0.0.1:" + port + "/"));
            if (listening) {
                return new Started(proxy, port);
            }
            proxy.close();
            if (attempt == TRIES) {
                throw new IOException("no free admin port after " + TRIES + " tries");
            }
        }
    }
}
