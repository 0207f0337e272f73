package hostproxy;

import hostproxy.admin.AdminServer;
import hostproxy.admin.ProxyMetrics;
import hostproxy.config.BackendTarget;
import hostproxy.config.ProxyConfig;
import hostproxy.config.RouteOption;
import hostproxy.config.StickyMode;
import hostproxy.relay.Relay;
import hostproxy.relay.UpstreamClient;
import hostproxy.routing.LoopGuard;
import hostproxy.routing.Router;
import hostproxy.routing.TrustedProxies;
import hostproxy.tunnel.Tunnels;
import hostproxy.upstream.HealthCheck;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Logger;

/** The running proxy of one deployment: its components, built together and closed together. */
final class HostProxy implements AutoCloseable {
    static final String VERSION = version();
    private static final Logger LOG = Logger.getLogger(HostProxy.class.getName());

    private final ProxyConfig config;
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
    /** {@code starting}, {@code ready} (the servlet took requests), {@code draining} (stopping). */
    private volatile String phase = "starting";
    private final TrustedProxies trustedProxies;
    private final StickySessions sticky;
    private final ErrorPages errorPages;

    /** @param serverInfo the container's {@code ServletContext.getServerInfo()} */
    HostProxy(ProxyConfig config, String serverInfo) {
        this.config = config;
        this.loopGuard = new LoopGuard("hostproxy-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4)));
        this.router = new Router(config, loopGuard);
        this.client = UpstreamClient.create(config);
        this.upstreams = new Upstreams(config, client::closeIdleConnections, healthChecks(config));
        this.relay = new Relay(client, upstreams, config.clientIdleTimeout(), serverInfo);
        this.tunnels = new Tunnels(config, upstreams, serverInfo);
        this.trustedProxies = new TrustedProxies(config.trustedProxies());
        this.sticky = new StickySessions(config.stickySecret().value());
        this.errorPages = ErrorPages.load(config.errorPages());
        boolean stickyUsed = config.sticky() == StickyMode.COOKIE || config.routeOptions().values().stream()
                .anyMatch(o -> o.get(RouteOption.STICKY, StickyMode.OFF) == StickyMode.COOKIE);
        if (stickyUsed && config.stickySecret().isEmpty()) {
            LOG.warning("hostproxy: stickySecret is not set: sticky cookies are signed with a random key of this "
                    + "instance, so other instances (and this one after a restart) do not honour them; give every "
                    + "instance the same stickySecret");
        }
        this.metrics = new ProxyMetrics(upstreams, client.pool(), inFlight::get, VERSION);
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
                        () -> client.pool().getTotalStats(), () -> phase, healthCheckText(config));
    }

    /**
     * The active health check of each backend name: the path of the route (of the routes file)
     * whose target is that host, else the global {@code healthCheckPath}, sent to that route's scheme
     * and port, else the template's; {@code null} (unchecked) when the path is empty.
     */
    private static Function<String, HealthCheck> healthChecks(ProxyConfig config) {
        if (!config.healthChecks()) {
            return name -> null;
        }
        return name -> {
            for (var route : config.routes().entrySet()) {
                BackendTarget t = route.getValue();
                if (t.host().equals(name)) {
                    return check(t.scheme(), t.port(), config.healthCheckPathFor(route.getKey()));
                }
            }
            for (String label : config.routeOptions().keySet()) { // template backends with options of their own
                if (!config.routes().containsKey(label) && config.backendHost().replace("{label}", label).equals(name)) {
                    return check(config.backendScheme(), config.backendPort(), config.healthCheckPathFor(label));
                }
            }
            return check(config.backendScheme(), config.backendPort(), config.healthCheckPath());
        };
    }

    private static HealthCheck check(String scheme, int port, String path) {
        return path.isEmpty() ? null : new HealthCheck(scheme, port, path);
    }

    private static String healthCheckText(ProxyConfig c) {
        String path = c.healthCheckPath().isEmpty() ? "(per route)" : c.healthCheckPath();
        return !c.healthChecks() ? "off" : "GET " + path + " every " + c.healthCheckInterval().toMillis()
                + " ms, timeout " + c.healthCheckTimeout().toMillis() + " ms, out after " + c.healthCheckFall()
                + " failures, back after " + c.healthCheckRise() + " passes";
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
        if (phase.equals("starting")) {
            phase = "ready";
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
        if (inFlight.decrementAndGet() == 0 && phase.equals("draining")) {
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
        phase = "draining";
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
     * Closes every tunnel and stops their thread, stops the admin port, the idle-client watch, the
     * DNS refresh and the health checks, then closes every pooled backend connection.
     */
    @Override
    public void close() throws IOException {
        phase = "draining";
        try {
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
