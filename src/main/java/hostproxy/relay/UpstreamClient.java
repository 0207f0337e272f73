package hostproxy.relay;

import hostproxy.config.BackendProtocol;
import hostproxy.config.ProxyConfig;
import java.nio.channels.ClosedSelectorException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.SchemePortResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.DefaultAsyncClientConnectionOperator;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.nio.AsyncClientConnectionOperator;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.Lookup;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.ConnPoolControl;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The one non-blocking HttpClient all exchanges share, set up to relay rather than to browse, and
 * its pool. Its I/O reactor (one thread per core) does every backend read and write; no thread
 * waits for a backend. Every exchange names the backend address itself (a route per IP that keeps
 * the host name), so the pool holds connections per address and the client never resolves a name.
 *
 * <p>A pooled connection never carries one response's excess bytes into the next exchange: the
 * reactor reads an idle connection as soon as bytes arrive, takes them for a response nobody asked
 * for and closes the connection (HttpCore's {@code ClientHttp1StreamDuplexer}, "Unexpected response").
 */
public final class UpstreamClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UpstreamClient.class.getName());
    private static final TlsConfig HTTP_1 = TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build();
    private static final TlsConfig HTTP_2 = TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2).build();
    /** Context attribute: the client sent no {@code User-Agent}, so none is sent on its behalf. */
    static final String NO_USER_AGENT = "hostproxy.noUserAgent";

    private final PoolingAsyncClientConnectionManager pool;
    private final CloseableHttpAsyncClient client;
    private final ReactorThreads threads;
    private final SilenceTimer silenceTimer;

    private UpstreamClient(PoolingAsyncClientConnectionManager pool, CloseableHttpAsyncClient client,
            ReactorThreads threads, SilenceTimer silenceTimer) {
        this.pool = pool;
        this.client = client;
        this.threads = threads;
        this.silenceTimer = silenceTimer;
    }

    public static UpstreamClient create(ProxyConfig config) {
        Timeout connect = Timeout.of(config.connectTimeout());
        Timeout response = Timeout.of(config.responseTimeout());
        ConnectionConfig http1 = ConnectionConfig.custom().setConnectTimeout(connect).setSocketTimeout(response).build();
        // An HTTP/2 connection has no socket timeout: each attempt on it is timed (SilenceTimer).
        ConnectionConfig http2 = ConnectionConfig.custom().setConnectTimeout(connect).setSocketTimeout(Timeout.DISABLED).build();
        PoolingAsyncClientConnectionManager pool = new Http2Routes()
                .setMaxConnPerRoute(config.maxConnectionsPerBackend())
                .setMaxConnTotal(config.maxConnections())
                .setConnectionConfigResolver(route -> Http2Routes.isHttp2(route.getTargetHost()) ? http2 : http1)
                // The protocol is the route's (AddressedRoutes), never negotiated: HTTP/1.1 to http and
                // https backends (no ALPN h2 offered), HTTP/2 to h2c (prior knowledge) and h2 (ALPN h2).
                .setTlsConfigResolver(firstHop -> Http2Routes.isHttp2(firstHop) ? HTTP_2 : HTTP_1)
                .build();
        ReactorThreads threads = new ReactorThreads();
        SilenceTimer silenceTimer = new SilenceTimer(pool, config.responseTimeout());
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setConnectionManager(pool)
                .setConnectionReuseStrategy(new FramingReuseStrategy())
                .setRoutePlanner(new AddressedRoutes())
                // Each attempt learns its runtime, so that dropping it closes its connection at once
                // (a body half read or half sent must never go back to the pool); one over HTTP/2 is timed.
                .addExecInterceptorFirst("hostproxy-call", (request, entity, scope, chain, callback) -> {
                    HttpClientContext context = scope.clientContext;
                    if (context.getAttribute(BackendCall.CONTEXT) instanceof BackendCall call) {
                        call.runtime(scope.execRuntime);
                        if (context.getAttribute(AddressedRoutes.PROTOCOL) == BackendProtocol.HTTP_2) {
                            Timeout t = context.getRequestConfigOrDefault().getResponseTimeout();
                            silenceTimer.watch(call, t != null && t.isEnabled() ? t.toDuration() : config.responseTimeout());
                        }
                    }
                    chain.proceed(request, entity, scope, callback);
                })
                // No server push: nothing would take a pushed response (RFC 9113 §8.4, SETTINGS_ENABLE_PUSH 0).
                .setH2Config(H2Config.custom().setPushEnabled(false).build())
                .setThreadFactory(threads)
                .setIoReactorExceptionCallback(e -> LOG.log(e instanceof ClosedSelectorException ? Level.FINE : Level.WARNING,
                        "hostproxy: backend I/O failed", e)) // (a selector closed under it: the client is closing)
                .setDefaultRequestConfig(RequestConfig.custom()
                        // Waiting for a free pooled connection is bounded like connecting.
                        .setConnectionRequestTimeout(connect)
                        .setResponseTimeout(response)
                        // No "Upgrade: TLS/1.2" offered on the client's behalf.
                        .setProtocolUpgradeEnabled(false)
                        .build())
                // The client's User-Agent, or none, passes unchanged (the library adds its own otherwise).
                .addRequestInterceptorLast((request, entity, context) -> {
                    if (context.getAttribute(NO_USER_AGENT) != null) {
                        request.removeHeaders(HttpHeaders.USER_AGENT);
                    }
                })
                .addRequestInterceptorLast(new ProtocolFields())
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
                .build();
        client.start();
        return new UpstreamClient(pool, client, threads, silenceTimer);
    }

    /**
     * Has the exchanges of {@code context} reach their backend over {@code protocol} (HTTP/1.1 when
     * never called): their routes, and so their pooled connections, are of that protocol.
     */
    public static void speak(HttpClientContext context, BackendProtocol protocol) {
        context.setAttribute(AddressedRoutes.PROTOCOL, protocol);
    }

    /**
     * The pool, with TLS for the {@code h2} routes of {@link AddressedRoutes} as for {@code https}
     * ones: the connection operator picks TLS by the first hop's scheme. (The builder's one seam for
     * that, {@code createConnectionOperator}, is marked internal in HttpClient 5.6.)
     */
    private static final class Http2Routes extends PoolingAsyncClientConnectionManagerBuilder {
        static boolean isHttp2(HttpHost firstHop) {
            String scheme = firstHop.getSchemeName();
            return scheme.equals(BackendProtocol.HTTP_2.word("http")) || scheme.equals(BackendProtocol.HTTP_2.word("https"));
        }

        @Override
        protected AsyncClientConnectionOperator createConnectionOperator(TlsStrategy tls, SchemePortResolver ports,
                DnsResolver dns) {
            Lookup<TlsStrategy> byScheme = RegistryBuilder.<TlsStrategy>create()
                    .register(URIScheme.HTTPS.id, tls)
                    .register(BackendProtocol.HTTP_2.word("https"), tls)
                    .build();
            return new DefaultAsyncClientConnectionOperator(byScheme, ports, dns) {
            };
        }
    }

    /** The reactor's threads, named, and kept to be joined on close. */
    private static final class ReactorThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();
        private final List<Thread> started = new CopyOnWriteArrayList<>();

        @Override
        public Thread newThread(Runnable task) {
            Thread t = new Thread(task, "hostproxy-upstream-" + count.incrementAndGet());
            t.setDaemon(true);
            started.add(t);
            return t;
        }

        void join(long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            for (Thread t : started) {
                t.join(Math.max(1, deadline - System.currentTimeMillis()));
            }
        }
    }

    CloseableHttpAsyncClient client() {
        return client;
    }

    /** The connection pool, for the admin port's metrics (read only). */
    public ConnPoolControl<HttpRoute> pool() {
        return pool;
    }

    /**
     * Closes every idle pooled connection. Run when an address leaves DNS; the pool cannot close
     * one route's connections alone, and a departure is rare enough for others to reconnect.
     */
    public void closeIdleConnections() {
        pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
    }

    /**
     * Closes every connection at once and waits for the reactor's threads to end: in-flight
     * exchanges have ended with the container, and a thread left behind would pin the application.
     */
    @Override
    public void close() {
        silenceTimer.close();
        client.close(CloseMode.IMMEDIATE);
        try {
            threads.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
