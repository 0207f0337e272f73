package hostproxy.relay;

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
    /** Request attribute: a response the backend broke off, for the servlet to abort on a container thread. */
    public static final String ABORTED = "hostproxy.aborted";
    /**
     * Where the relay's dispatches go: a path the servlet's mapping ({@code /*}) always takes. The
     * request's own would be decoded and normalised first, and one that climbs above the root
     * ({@code /..%2F..%2F}, which hostproxy relays as sent) would not dispatch at all.
     */
    static final String DISPATCH_PATH = "/";
    /** The container's asynchronous timeout: longer than any exchange; the relay's own timeouts end them. */
    static final Duration ASYNC_TIMEOUT = Duration.ofDays(365);

    private final CloseableHttpAsyncClient client;
    private final Upstreams upstreams;
    private final ClientIdleWatch idleWatch;
    /** Tomcat: a write listener set off a container thread has its first call run on that thread ({@link ClientResponse}). */
    private final boolean listenerRunsOnSetter;

    /**
     * @param clientIdleTimeout how long a client may keep an exchange waiting ({@code clientIdleTimeout})
     * @param serverInfo        the container's {@code ServletContext.getServerInfo()}
     */
    public Relay(UpstreamClient client, Upstreams upstreams, Duration clientIdleTimeout, String serverInfo) {
        this.client = client.client();
        this.upstreams = upstreams;
        this.idleWatch = new ClientIdleWatch(clientIdleTimeout);
        this.listenerRunsOnSetter = serverInfo != null && serverInfo.startsWith("Apache Tomcat");
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
                servletResponse, listenerRunsOnSetter).start();
    }

    /** Stops watching for idle clients: the container has ended every exchange. */
    @Override
    public void close() {
        idleWatch.close();
    }
}
