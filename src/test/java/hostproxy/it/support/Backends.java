package hostproxy.it.support;

import java.io.IOException;

/** The three backends of the tests' hosts file ({@code src/test/resources/hosts}), all on {@link #PORT}. */
public final class Backends implements AutoCloseable {
    /**
     * Chosen once per test JVM among the ports free on every loopback address a test puts a backend on,
     * so that a shared machine's other programs, or a second test run, never
     * collide with them; {@code -Dtest.backend.port} fixes it.
     */
    public static final int PORT = Integer.getInteger("test.backend.port",
            FreePorts.freeOn("127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14", "127.0.0.15", "127.0.0.16", "127.0.0.17", "127.0.0.18",
                    "127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24", "127.0.0.25", "127.0.0.26",
                    "127.0.0.31", "127.0.0.32", "::1"));
    public final TestBackend alpha;
    public final TestBackend beta;
    public final TestBackend gamma;

    private Backends() throws IOException {
        alpha = TestBackend.start("alpha", "127.0.0.11", PORT);
        beta = TestBackend.start("beta", "127.0.0.12", PORT);
        gamma = TestBackend.start("gamma", "127.0.0.13", PORT);
    }

    public static Backends start() throws IOException {
        return new Backends();
    }

    public void reset() {
        alpha.reset();
        beta.reset();
        gamma.reset();
    }

    @Override
    public void close() throws IOException {
        alpha.close();
        beta.close();
        gamma.close();
    }
}
