package hostproxy.tunnel;

import hostproxy.config.ProxyConfig;
import hostproxy.container.Container;
import hostproxy.relay.Exchange;
import hostproxy.relay.ExchangeHooks;
import hostproxy.relay.OutboundRequest;
import hostproxy.relay.ProxyError;
import hostproxy.relay.ResponseAbortedException;
import hostproxy.routing.Route;
import hostproxy.upstream.Upstreams;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * The Upgrade (WebSocket) tunnels of one deployment: their limit ({@code maxTunnels}), the open
 * ones, their counts and idle check, the reactor thread their backend sides run on, and their end
 * when the application stops. Each handshake is a {@link TunnelHandshake}; once it switched, no
 * thread is held: see {@link Tunnel}.
 */
public final class Tunnels implements TunnelCounts, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Tunnels.class.getName());

    private final ProxyConfig config;
    private final Upstreams upstreams;
    private final TunnelReactor reactor;
    private final TunnelHandshake handshake;
    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
    /** Open tunnels plus handshakes under way: what {@code maxTunnels} bounds. */
    private final AtomicInteger taken = new AtomicInteger();
    private final LongAdder toBackend = new LongAdder();
    private final LongAdder toClient = new LongAdder();
    private volatile boolean stopping;
    private volatile Meter meter = Meter.NONE;
    /** Why this container cannot carry tunnels, or {@code null} when it can. */
    private final String unsupported;

    public Tunnels(ProxyConfig config, Upstreams upstreams, Container container) {
        this.config = config;
        this.upstreams = upstreams;
        this.unsupported = container.tunnelsUnsupported();
        this.handshake = new TunnelHandshake(this, config, upstreams);
        this.reactor = new TunnelReactor(this::closeIdle);
    }

    /** Where tunnel events go besides {@link TunnelCounts}: the admin port's metrics, which count by events. */
    public interface Meter {
        Meter NONE = new Meter() {
            @Override
            public void opened(int delta) {
            }

            @Override
            public void bytes(boolean toBackend, long bytes) {
            }
        };

        /** A tunnel opened (+1) or closed (-1). */
        void opened(int delta);

        void bytes(boolean toBackend, long bytes);
    }

    /** Reports tunnel events to {@code m} from now on. */
    public void meter(Meter m) {
        this.meter = m;
    }

    /**
     * The upgrade this request asks for and this proxy tunnels, or {@code null}: relay it as a plain request.
     *
     * @throws ProxyError 400 for an upgrade over HTTP/1.0 or with a body
     */
    public UpgradeRequest upgradeOf(HttpServletRequest request) throws ProxyError {
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        return UpgradeRequest.of(request.getProtocol(), Collections.list(request.getHeaders("Connection")),
                Collections.list(request.getHeaders("Upgrade")), hasBody, config.upgradeProtocols());
    }

    /**
     * Performs the handshake with the route's backend and, on its {@code 101}, switches the client
     * connection to a tunnel; any other answer is relayed as a response.
     */
    public void open(Exchange exchange, Route route, UpgradeRequest upgrade, OutboundRequest request,
            HttpServletRequest servletRequest, HttpServletResponse response, ExchangeHooks hooks)
            throws ProxyError, ResponseAbortedException {
        if (unsupported != null) {
            throw new ProxyError(501, unsupported);
        }
        if (!takePlace()) {
            throw new ProxyError(503, "too many open tunnels (maxTunnels=" + config.maxTunnels() + ")");
        }
        boolean tunnelled = false;
        try {
            tunnelled = handshake.perform(exchange, route, upgrade, request, servletRequest, response, hooks);
        } finally {
            if (!tunnelled) {
                taken.decrementAndGet(); // else the tunnel gives its place back as it closes
            }
        }
    }

    /** A place under {@code maxTunnels} for one more handshake, unless all are taken or hostproxy is stopping. */
    private boolean takePlace() {
        if (stopping) {
            return false;
        }
        if (taken.incrementAndGet() > config.maxTunnels()) {
            taken.decrementAndGet();
            return false;
        }
        return true;
    }

    /** The handshake switched: the tunnel is open, and owns its connection and its place until it closes. */
    void opened(Tunnel tunnel) {
        open.add(tunnel);
        meter.opened(1);
        if (!tunnel.isOpen()) {
            closed(tunnel); // closed before it was counted open: it gives its place back here
        }
    }

    TunnelReactor reactor() {
        return reactor;
    }

    void countToBackend(int n) {
        toBackend.add(n);
        meter.bytes(true, n);
    }

    void countToClient(int n) {
        toClient.add(n);
        meter.bytes(false, n);
    }

    /** A tunnel has closed both its sides. */
    void closed(Tunnel tunnel) {
        if (open.remove(tunnel)) {
            taken.decrementAndGet();
            meter.opened(-1);
            upstreams.finished(tunnel.endpoint());
        }
    }

    private void closeIdle() {
        long now = System.nanoTime();
        long limit = config.upgradeIdleTimeout().toNanos();
        for (Tunnel t : open) {
            if (t.idleNanos(now) > limit) {
                t.close("idle for " + config.upgradeIdleTimeout().toSeconds() + " s (upgradeIdleTimeout)");
            }
        }
    }

    @Override
    public int open() {
        return open.size();
    }

    @Override
    public long bytesToBackend() {
        return toBackend.sum();
    }

    @Override
    public long bytesToClient() {
        return toClient.sum();
    }

    /** Closes every tunnel (both sides), then stops the reactor thread and joins it. */
    @Override
    public void close() {
        stopping = true;
        int count = open.size();
        for (Tunnel t : List.copyOf(open)) {
            t.close("hostproxy is stopping");
        }
        if (count > 0) {
            LOG.info(() -> "hostproxy: closed " + count + " open tunnel(s) on stop");
        }
        reactor.close();
    }
}
