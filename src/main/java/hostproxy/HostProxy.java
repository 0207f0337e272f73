package hostproxy;

import hostproxy.admin.AdminServer;
import hostproxy.admin.ProxyMetrics;
import hostproxy.admin.ProxyPhase;
import hostproxy.config.LiveRoutes;
import hostproxy.config.ProxyConfig;
import hostproxy.config.RouteOption;
import hostproxy.config.RouteTable;
import hostproxy.config.RoutesWatcher;
import hostproxy.config.StickyMode;
import hostproxy.container.Container;
import hostproxy.relay.Relay;
import hostproxy.relay.UpstreamClient;
import hostproxy.routing.LoopGuard;
import hostproxy.routing.Router;
import hostproxy.routing.TrustedProxies;
import hostproxy.tunnel.Tunnels;
import hostproxy.upstream.HealthChecks;
import hostproxy.upstream.StickySessions;
import hostproxy.upstream.Upstreams;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/** The running proxy of one deployment: its components, built together and closed together. */
final class HostProxy implements AutoCloseable {
    static final String VERSION = version();
    private static final Logger LOG = Logger.getLogger(HostProxy.class.getName());

    private final ProxyConfig config;
    private final LiveRoutes routes;
    /** Reads the routes file again while the proxy runs; {@code null} when nothing is watched. */
    private final RoutesWatcher routesWatcher;
    private final LoopGuard loopGuard;
    private final Router router;
    private final UpstreamClient client;
    private final Upstreams upstreams;
    private final Relay relay;
    private final Tunnels tunnels;
    private final ProxyMetrics metrics;
    private final AdminServer admin;
    private final AtomicLong exchangeIds = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Condition idle = drainLock.newCondition();
    private volatile ProxyPhase phase = ProxyPhase.STARTING;
    private final TrustedProxies trustedProxies;
    private final StickySessions sticky;
    private final ErrorPages errorPages;
    private final AtomicBoolean warnedUnsignedSticky = new AtomicBoolean();

    /** @param serverInfo the container's {@code ServletContext.getServerInfo()} */
    HostProxy(ProxyConfig config, String serverInfo) {
        this.config = config;
        this.routes = new LiveRoutes(config.initialRoutes(), Instant.now());
        this.loopGuard = new LoopGuard("hostproxy-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4)));
        this.router = new Router(config, loopGuard, routes::table);
        this.client = UpstreamClient.create(config);
        this.upstreams = new Upstreams(config, client::closeIdleConnections,
                HealthChecks.of(config, config.initialRoutes()));
        Container container = Container.of(serverInfo);
        this.relay = new Relay(client, upstreams, config.clientIdleTimeout(), container);
        this.tunnels = new Tunnels(config, upstreams, container);
        this.trustedProxies = new TrustedProxies(config.trustedProxies());
        this.sticky = new StickySessions(config.stickySecret().value());
        this.errorPages = ErrorPages.load(config.errorPages());
        warnIfStickyUnsigned(config.initialRoutes());
        this.metrics = new ProxyMetrics(upstreams, client.pool(), inFlight::get, routes, VERSION);
        tunnels.meter(new Tunnels.Meter() {
            @Override
            public void opened(int delta) {
                metrics.tunnelsOpen(delta);
            }

            @Override
            public void bytes(boolean toBackend, long bytes) {
                metrics.tunnelBytes(toBackend, bytes);
            }
        });
        this.admin = config.adminPort() == 0 ? null
                : AdminServer.start(config.adminAddress(), config.adminPort(), VERSION, Instant.now(), upstreams, metrics,
                        () -> client.pool().getTotalStats(), () -> phase,
                        () -> HealthChecks.describe(config, routes.table()), routes, routesFileText(config));
        this.routesWatcher = RoutesWatcher.watch(config, routes, this::routesTaken); // last: it calls routesTaken
    }

    /** A changed routes file was taken: health checks and the address guard follow its routes. */
    private void routesTaken(RouteTable table) {
        upstreams.routesChanged(HealthChecks.of(config, table), table.targets().values());
        warnIfStickyUnsigned(table);
    }

    private void warnIfStickyUnsigned(RouteTable table) {
        boolean stickyUsed = config.sticky() == StickyMode.COOKIE || table.lines().values().stream()
                .anyMatch(o -> o.get(RouteOption.STICKY, StickyMode.OFF) == StickyMode.COOKIE);
        if (stickyUsed && config.stickySecret().isEmpty() && warnedUnsignedSticky.compareAndSet(false, true)) {
            LOG.warning("hostproxy: stickySecret is not set: sticky cookies are signed with a random key of this "
                    + "instance, so other instances (and this one after a restart) do not honour them; give every "
                    + "instance the same stickySecret");
        }
    }

    /** For the status page: the routes file and how often it is read. */
    private static String routesFileText(ProxyConfig c) {
        if (c.routesFile().isEmpty()) {
            return "none";
        }
        return c.routesFile() + (c.routesFileCheck().isZero() ? ", read at start only (routesFileCheck=off)"
                : ", read every " + c.routesFileCheck().toMillis() + " ms");
    }

    private static String version() {
        try (InputStream in = HostProxy.class.getResourceAsStream("/hostproxy/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    TrustedProxies trustedProxies() {
        return trustedProxies;
    }

    StickySessions sticky() {
        return sticky;
    }

    ErrorPages errorPages() {
        return errorPages;
    }

    ProxyConfig config() {
        return config;
    }

    Router router() {
        return router;
    }

    Relay relay() {
        return relay;
    }

    /** Upgrade (WebSocket) tunnels; also their counts for operations ({@link hostproxy.tunnel.TunnelCounts}). */
    Tunnels tunnels() {
        return tunnels;
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    /** The admin port actually listened on, or 0 when it is off. */
    int adminPort() {
        return admin == null ? 0 : admin.port();
    }

    String viaToken() {
        return loopGuard.token();
    }

    long nextExchangeId() {
        return exchangeIds.incrementAndGet();
    }

    /** The servlet takes requests: {@code /readyz} answers 200 from now on. */
    void ready() {
        if (phase == ProxyPhase.STARTING) {
            phase = ProxyPhase.READY;
        }
    }

    /** Whether one more exchange may be relayed now ({@code maxExchanges}); this one is counted in already. */
    boolean admitExchange() {
        return inFlight.get() <= config.maxExchanges();
    }

    void exchangeBegins() {
        inFlight.incrementAndGet();
    }

    void exchangeEnds() {
        if (inFlight.decrementAndGet() == 0 && phase == ProxyPhase.DRAINING) {
            drainLock.lock();
            try {
                idle.signalAll();
            } finally {
                drainLock.unlock();
            }
        }
    }

    /**
     * Stopping: {@code /readyz} answers 503 at once, then waits at most {@code drainTimeout} for the
     * exchanges in flight to finish.
     *
     * @return how many were still in flight when the wait ended
     */
    int drain() {
        phase = ProxyPhase.DRAINING;
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        drainLock.lock();
        try {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                idle.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            drainLock.unlock();
        }
        return inFlight.get();
    }

    Duration drainTimeout() {
        return config.drainTimeout();
    }

    /**
     * Stops reading the routes file, closes every tunnel and stops their thread, stops the admin
     * port, the idle-client watch, the DNS refresh and the health checks, then closes every pooled
     * backend connection.
     */
    @Override
    public void close() throws IOException {
        phase = ProxyPhase.DRAINING;
        try {
            if (routesWatcher != null) {
                routesWatcher.close();
            }
            tunnels.close();
            if (admin != null) {
                admin.close();
            }
            metrics.close();
        } finally {
            relay.close();
            upstreams.close();
            client.close();
        }
    }
}
