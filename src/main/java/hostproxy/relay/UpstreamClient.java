package hostproxy.relay;

import hostproxy.config.ProxyConfig;
import java.io.IOException;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The one HttpClient all exchanges share, set up to relay rather than to browse, and its pool.
 * Every exchange names the backend address itself (a route per IP that keeps the host name), so
 * the pool holds connections per address and the client never resolves a name.
 */
public final class UpstreamClient implements AutoCloseable {
    private final PoolingHttpClientConnectionManager pool;
    private final CloseableHttpClient client;

    private UpstreamClient(PoolingHttpClientConnectionManager pool, CloseableHttpClient client) {
        this.pool = pool;
        this.client = client;
    }

    public static UpstreamClient create(ProxyConfig config) {
        Timeout connect = Timeout.of(config.connectTimeout());
        Timeout response = Timeout.of(config.responseTimeout());
        ConnectionConfig connections = ConnectionConfig.custom()
                .setConnectTimeout(connect)
                .setSocketTimeout(response)
                // Every lease asks the connection whether it is fit for reuse: GuardedConnection looks
                // for unread bytes (without blocking) and, after 2 s idle, for a backend that closed.
                .setValidateAfterInactivity(TimeValue.ZERO_MILLISECONDS)
                .build();
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(config.maxConnectionsPerBackend())
                .setMaxConnTotal(config.maxConnections())
                .setDefaultConnectionConfig(connections)
                .setConnectionFactory(GuardedConnection.factory())
                .build();
        CloseableHttpClient client = HttpClients.custom()
                .setConnectionManager(pool)
                .setConnectionReuseStrategy(new FramingReuseStrategy())
                // A request body the client broke off (or that passed maxBodySize) drops the backend
                // connection, so that no last chunk makes the cut-off body look complete.
                .addExecInterceptorFirst("drop-on-client-body-failure", (request, scope, chain) -> {
                    if (request.getEntity() instanceof ClientBodyEntity body) {
                        body.onFailureDrop(scope.execRuntime::discardEndpoint);
                    }
                    return chain.proceed(request, scope);
                })
                .setDefaultRequestConfig(RequestConfig.custom()
                        // Waiting for a free pooled connection is bounded like connecting.
                        .setConnectionRequestTimeout(connect)
                        .setResponseTimeout(response)
                        .build())
                // A redirect is the client's to follow, with its own cookies and credentials.
                .disableRedirectHandling()
                // A retry is never hidden: only the relay decides what is safe to resend, and where.
                .disableAutomaticRetries()
                // Bodies and their Content-Length pass exactly as the backend sent them.
                .disableContentCompression()
                // Cookies belong to each client; a shared store would hand one user's to another.
                .disableCookieManagement()
                // Credentials are the client's business, per request.
                .disableAuthCaching()
                // Pooled connections are not tied to a user identity (no NTLM-style state).
                .disableConnectionState()
                // The client's User-Agent, or none, passes unchanged.
                .disableDefaultUserAgent()
                .build();
        return new UpstreamClient(pool, client);
    }

    CloseableHttpClient client() {
        return client;
    }

    /** The connection pool, for the admin port's metrics (read only). */
    public PoolingHttpClientConnectionManager pool() {
        return pool;
    }

    /**
     * Closes every idle pooled connection. Run when an address leaves DNS; the pool cannot close
     * one route's connections alone, and a departure is rare enough for others to reconnect.
     */
    public void closeIdleConnections() {
        pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
    }

    /** Closes every connection at once: in-flight exchanges have ended with the container. */
    @Override
    public void close() throws IOException {
        client.close(CloseMode.IMMEDIATE);
    }
}
