package hostproxy.it.support;

import java.io.IOException;

/** The three backends of the tests' hosts file ({@code src/test/resources/hosts}), all on {@link #PORT}. */
public final class Backends implements AutoCloseable {
    /**
     * Not 8080, so that tests never meet a real service (or the benchmark's backend) on this machine;
     * {@code -Dtest.backend.port} moves it, for two test runs side by side.
     */
    public static final int PORT = Integer.getInteger("test.backend.port", 18080);
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
