package hostproxy.relay;

import hostproxy.container.Container;
import hostproxy.routing.Route;
import hostproxy.upstream.Backend;
import hostproxy.upstream.Upstreams;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;

/**
 * Relays requests to their backends without a thread per exchange: the servlet goes asynchronous,
 * the client's body and response move with non-blocking servlet I/O, the backend's with HttpClient's
 * I/O reactor, and each side is read only as fast as the other takes the bytes. Nothing is buffered
 * beyond about 64 KiB each way.
 */
public final class Relay implements AutoCloseable {
    /** The container's asynchronous timeout: longer than any exchange; the relay's own timeouts end them. */
    static final Duration ASYNC_TIMEOUT = Duration.ofDays(365);

    private final CloseableHttpAsyncClient client;
    private final Upstreams upstreams;
    private final ClientIdleWatch idleWatch;
    private final Container container;

    /**
     * @param clientIdleTimeout how long a client may keep an exchange waiting ({@code clientIdleTimeout})
     */
    public Relay(UpstreamClient client, Upstreams upstreams, Duration clientIdleTimeout, Container container) {
        this.client = client.client();
        this.upstreams = upstreams;
        this.idleWatch = new ClientIdleWatch(clientIdleTimeout);
        this.container = container;
    }

    /**
     * Starts relaying the request to the route's backend, trying its addresses as {@link Attempts}
     * allows; returns at once, and {@code outcome} hears when the exchange is over. Nothing is
     * resent once a response has begun.
     *
     * @throws ProxyError the backend name cannot be served at all (unknown, every address out):
     *                    nothing has started, the caller answers
     */
    public void start(Exchange exchange, Route route, OutboundRequest request, HttpServletRequest servletRequest,
            HttpServletResponse servletResponse, ExchangeHooks hooks, ExchangeOutcome outcome)
            throws ProxyError, IOException {
        Backend backend = Attempts.backendOf(upstreams, route.backendName(), exchange.trace());
        new RelayedExchange(client, upstreams, idleWatch, exchange, route, backend, request, hooks, outcome, servletRequest,
                servletResponse, container.runsWriteListenerOnSetter()).start();
    }

    /** Stops watching for idle clients: the container has ended every exchange. */
    @Override
    public void close() {
        idleWatch.close();
    }
}
