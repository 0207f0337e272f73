package hostproxy.config;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the routes file live: reads it again every {@code routesFileCheck} and, when its routes
 * changed, swaps a new {@link RouteTable} into {@link LiveRoutes}.
 *
 * <ul>
 *   <li>A change is seen by content: the bytes read through the path, never modification times or
 *       file events, so that a file renamed over it, a write in place, a Kubernetes ConfigMap's
 *       {@code ..data} link swapped and a bind mount (whose events do not cross into a container)
 *       all count.</li>
 *   <li>A file is acted on only once two reads in a row agree, the second one {@code settle}
 *       (the period, at most half a second) after the first: a file caught while it is being
 *       written reads differently the next time and is never taken half.</li>
 *   <li>A file that cannot be read, is empty, is invalid or routes a label the {@code routes}
 *       setting routes too keeps the last good table in force: one WARNING per problem, with the
 *       text the same file gives at start, and {@link LiveRoutes#problem()} until it is mended. An
 *       empty file is refused, where the file's routes are in force, because a write in place
 *       empties the file first; a file of comments alone removes every route.</li>
 * </ul>
 */
public final class RoutesWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RoutesWatcher.class.getName());
    private static final Duration MAX_SETTLE = Duration.ofMillis(500);

    private final String path;
    private final Map<String, BackendTarget> routes;
    private final Duration period;
    private final Duration settle;
    private final LiveRoutes live;
    private final Consumer<RouteTable> taken;
    private final ScheduledExecutorService scheduler;
    private volatile Thread thread;
    // Used by one thread at a time (the scheduler's): what the last read found (a digest of the
    // bytes, or the problem), and the last reading acted on.
    private String lastRead;
    private String actedOn;

    /** @param taken told of each table taken, after the swap, on the watcher's thread */
    RoutesWatcher(ProxyConfig config, LiveRoutes live, Consumer<RouteTable> taken) {
        this.path = config.routesFile();
        this.routes = config.routes();
        this.period = config.routesFileCheck();
        this.settle = period.compareTo(MAX_SETTLE) < 0 ? period : MAX_SETTLE;
        this.live = live;
        this.taken = taken;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> { // its thread starts with the first check
            Thread t = new Thread(r, "hostproxy-routes-file");
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /**
     * Starts watching the routes file on a thread of its own; {@code null} when there is nothing to
     * watch (no routes file, or {@code routesFileCheck=off}).
     */
    public static RoutesWatcher watch(ProxyConfig config, LiveRoutes live, Consumer<RouteTable> taken) {
        if (config.routesFile().isEmpty() || config.routesFileCheck().isZero()) {
            return null;
        }
        RoutesWatcher watcher = new RoutesWatcher(config, live, taken);
        watcher.schedule(watcher.period);
        return watcher;
    }

    private void schedule(Duration delay) {
        try {
            scheduler.schedule(this::run, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // stopped
        }
    }

    private void run() {
        Duration next = period;
        try {
            next = check();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "hostproxy: checking the routes file " + path + " failed", e);
        } finally {
            schedule(next); // whatever happened, the file stays watched
        }
    }

    /**
     * Reads the file once and acts on what it says if the read before found the same.
     *
     * @return how long to wait for the next check: {@code settle} while a change waits for a second read
     */
    Duration check() {
        byte[] bytes = null;
        String reading;
        try {
            bytes = RoutesFile.bytes(path);
            reading = digest(bytes);
        } catch (InvalidSettingException e) {
            reading = e.getMessage();
        }
        boolean confirmed = reading.equals(lastRead);
        lastRead = reading;
        if (reading.equals(actedOn)) {
            return period;
        }
        if (!confirmed) {
            return settle;
        }
        actedOn = reading;
        if (bytes == null) {
            refuse(reading);
        } else {
            act(bytes);
        }
        return period;
    }

    private void act(byte[] bytes) {
        RouteTable table;
        try {
            // empty where no route of the file is in force (a placeholder, as at start): nothing changes
            if (bytes.length == 0 && !RouteTable.of(routes, path, List.of()).equals(live.table())) {
                throw new InvalidSettingException(Setting.ROUTES_FILE, path, "empty (0 bytes), as a file being "
                        + "written in place is; a file with only a comment in it removes every route");
            }
            table = RouteTable.of(routes, path, RoutesFile.parse(path, bytes));
        } catch (InvalidSettingException e) {
            refuse(e.getMessage());
            return;
        }
        RouteTable before = live.table();
        if (table.equals(before)) {
            if (live.problem() != null) {
                live.mended();
                LOG.info(() -> "hostproxy: routes file " + path + " is valid again; its routes are those in force");
            } else {
                LOG.fine(() -> "hostproxy: routes file " + path + " changed, its routes did not");
            }
            return;
        }
        live.take(table, Instant.now());
        int count = table.listed().size();
        LOG.info(() -> "hostproxy: routes file " + path + " reloaded: " + count + (count == 1 ? " route" : " routes")
                + table.changesSince(before));
        taken.accept(table);
    }

    private void refuse(String why) {
        if (why.equals(live.problem())) {
            return; // reported already
        }
        live.refuse(why);
        Instant since = live.loaded().at().truncatedTo(ChronoUnit.SECONDS);
        LOG.warning(() -> why + "; the routes loaded at " + since + " stay in force");
    }

    private static String digest(byte[] bytes) {
        try {
            return "sha-256 " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Stops the checks and joins their thread (bounded): an executor reports itself terminated
     * while its last thread is still finishing, which a container's leak detection would report.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            Thread t = thread;
            if (t != null) {
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
