package hostproxy;

import hostproxy.config.ProxyConfig;
import hostproxy.config.RouteOption;
import hostproxy.config.StickyMode;
import hostproxy.relay.Relay;
import hostproxy.relay.UpstreamClient;
import hostproxy.routing.LoopGuard;
import hostproxy.routing.Router;
import hostproxy.routing.TrustedProxies;
import hostproxy.upstream.StickySessions;
import hostproxy.upstream.Upstreams;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/** The running proxy of one deployment: its components, built together and closed together. */
final class HostProxy implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HostProxy.class.getName());
    private final ProxyConfig config;
    private final LoopGuard loopGuard;
    private final Router router;
    private final UpstreamClient client;
    private final Upstreams upstreams;
    private final Relay relay;
    private final AtomicLong exchangeIds = new AtomicLong();
    private final TrustedProxies trustedProxies;
    private final StickySessions sticky;
    private final ErrorPages errorPages;

    HostProxy(ProxyConfig config) {
        this.config = config;
        this.loopGuard = new LoopGuard("hostproxy-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4)));
        this.router = new Router(config, loopGuard);
        this.client = UpstreamClient.create(config);
        this.upstreams = new Upstreams(config, client::closeIdleConnections);
        this.relay = new Relay(client, upstreams);
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

    String viaToken() {
        return loopGuard.token();
    }

    long nextExchangeId() {
        return exchangeIds.incrementAndGet();
    }

    /** Stops the DNS refresh, then closes every pooled backend connection. */
    @Override
    public void close() throws IOException {
        upstreams.close();
        client.close();
    }
}
