package hostproxy.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the tests' servers, chosen at run time so that nothing depends on a fixed port being
 * free on a shared machine. Ports come from below Linux's ephemeral range (32768–60999): a port of
 * that range that is free now may be taken a moment later as the local port of some client's
 * connection, and a server then fails to bind it.
 */
public final class FreePorts {
    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;

    private FreePorts() {
    }

    /** A TCP port that every one of {@code addresses} (loopback addresses) can bind right now. */
    public static int freeOn(String... addresses) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (bindable(port, addresses)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port found between " + LOW + " and " + HIGH);
    }

    private static boolean bindable(int port, String... addresses) {
        for (String address : addresses) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(address), port), 1);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }
}
