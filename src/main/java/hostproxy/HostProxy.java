package hostproxy;

import hostproxy.config.ProxyConfig;
import hostproxy.relay.Relay;
import hostproxy.relay.UpstreamClient;
import hostproxy.routing.LoopGuard;
import hostproxy.routing.Router;
import hostproxy.upstream.Upstreams;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/** The running proxy of one deployment: its components, built together and closed together. */
final class HostProxy implements AutoCloseable {
    private final ProxyConfig config;
    private final LoopGuard loopGuard;
    private final Router router;
    private final UpstreamClient client;
    private final Upstreams upstreams;
    private final Relay relay;
    private final AtomicLong exchangeIds = new AtomicLong();

    HostProxy(ProxyConfig config) {
        this.config = config;
        this.loopGuard = new LoopGuard("hostproxy-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4)));
        this.router = new Router(config, loopGuard);
        this.client = UpstreamClient.create(config);
        this.upstreams = new Upstreams(config, client::closeIdleConnections);
        this.relay = new Relay(client, upstreams);
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
