package hostproxy.config;

import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * The routes in force, through one reference to an immutable {@link RouteTable} that a reload
 * swaps whole, and how the reloads went: for routing, the status page and metrics. Only a
 * {@link RoutesWatcher} changes it.
 */
public final class LiveRoutes {
    /** A table and when it came into force. */
    public record Loaded(RouteTable table, Instant at) {
    }

    private volatile Loaded loaded;
    /** Why the routes file, as it reads now, is not in force; {@code null} while it is. */
    private volatile String problem;
    private final LongAdder reloaded = new LongAdder();
    private final LongAdder refused = new LongAdder();

    public LiveRoutes(RouteTable initial, Instant at) {
        this.loaded = new Loaded(initial, at);
    }

    /** The table in force: read once per exchange, at its start. */
    public RouteTable table() {
        return loaded.table();
    }

    public Loaded loaded() {
        return loaded;
    }

    /** The problem of the routes file that keeps the last good routes in force, or {@code null}. */
    public String problem() {
        return problem;
    }

    /** Changed routes files taken. */
    public long reloads() {
        return reloaded.sum();
    }

    /** Changed routes files refused (each problem counted once). */
    public long failedReloads() {
        return refused.sum();
    }

    /** Whether the routes file, as it reads now, is what is in force. */
    public boolean lastReloadSuccessful() {
        return problem == null;
    }

    void take(RouteTable table, Instant at) {
        loaded = new Loaded(table, at);
        problem = null;
        reloaded.increment();
    }

    void refuse(String why) {
        problem = why;
        refused.increment();
    }

    void mended() {
        problem = null;
    }
}
