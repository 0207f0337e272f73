package hostproxy.upstream;

import hostproxy.config.BackendProtocol;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.nio.entity.DiscardingEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Active health checks: {@code GET <path>} to every address of every checked name, each address on
 * a schedule of its own (so one address never has two checks at once, however slow it is), the
 * first check at once when the address appears, the next ones spread over the interval. A check
 * passes on a {@code 2xx} or {@code 3xx} answer within {@code healthCheckTimeout}. It speaks the
 * backend's protocol: HTTP/1.1 on a fresh connection, or HTTP/2 for {@code h2c}/{@code h2} backends.
 */
final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthChecker.class.getName());
    /** Threads that run checks; a check holds one for at most twice the timeout (connect, then answer). */
    private static final int THREADS = 2;
    private static final String USER_AGENT = "hostproxy-health-check";
    /** Context attribute of an HTTP/2 check: the {@link InetAddress} it goes to. */
    private static final String ADDRESS = "hostproxy.checkAddress";

    private final Duration interval;
    private final int fall;
    private final int rise;
    private final CloseableHttpClient client;
    private final PoolingHttpClientConnectionManager http1Pool;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Map<Endpoint, Schedule> scheduled = new ConcurrentHashMap<>();
    /** The scheduler's live threads, joined on close: a terminated executor's last thread may still be ending. */
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final LongAdder passed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Timeout timeout;
    /** Checks of HTTP/2 backends ({@code h2c}, {@code h2}); made at the first one, so that no reactor runs for nothing. */
    private CloseableHttpAsyncClient http2Client;
    /** {@link #http2Client}'s pool, set with it. */
    private volatile PoolingAsyncClientConnectionManager http2Pool;
    private final List<Thread> http2Threads = new CopyOnWriteArrayList<>();
    private boolean closed;

    HealthChecker(Duration interval, Duration timeout, int fall, int rise) {
        this.interval = interval;
        this.fall = fall;
        this.rise = rise;
        Timeout t = Timeout.of(timeout);
        this.timeout = t;
        this.http1Pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(1)
                .setMaxConnTotal(THREADS)
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(t).setSocketTimeout(t).build())
                .build();
        this.client = HttpClients.custom()
                .setConnectionManager(http1Pool)
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(t).setResponseTimeout(t).build())
                // a check is one plain GET: no redirect followed, no retry, no cookie, the body discarded
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableContentCompression()
                .disableAuthCaching()
                .disableConnectionState()
                .build();
        this.scheduler = new ScheduledThreadPoolExecutor(THREADS, r -> {
            Thread thread = new Thread(() -> {
                try {
                    r.run();
                } finally {
                    threads.remove(Thread.currentThread());
                }
            }, "hostproxy-health-check");
            thread.setDaemon(true);
            threads.add(thread);
            return thread;
        });
        // Threads start with the first check and end once none is left to run (the route table may
        // drop every check while the proxy runs); a thread waiting for the next check stays.
        scheduler.setKeepAliveTime(interval.multipliedBy(2).toMillis() + 1_000, TimeUnit.MILLISECONDS);
        scheduler.allowCoreThreadTimeOut(true);
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Starts checking the backend's new addresses and stops checking those that left it. */
    void sync(Backend backend) {
        if (backend.healthCheck() == null || scheduler.isShutdown()) {
            return;
        }
        for (Endpoint e : backend.endpoints()) {
            scheduled.computeIfAbsent(e, k -> new Schedule(backend, k)).start();
        }
        boolean stopped = scheduled.values().removeIf(s -> {
            if (s.endpoint.retired()) {
                s.cancel();
                return true;
            }
            return false;
        });
        if (stopped) {
            dropIdleRoutes();
        }
    }

    /** Stops checking every address of a forgotten name. */
    void forget(Backend backend) {
        boolean stopped = false;
        for (Endpoint e : backend.endpoints()) {
            Schedule s = scheduled.remove(e);
            if (s != null) {
                s.cancel();
                stopped = true;
            }
        }
        if (stopped) {
            dropIdleRoutes();
        }
    }

    /**
     * Closes the pools' idle connections, after addresses stopped being checked. The pools keep a
     * route (and its address) for every address ever checked until they close idle connections;
     * with containers replaced all day, that would grow without end (about 300 bytes an address,
     * found by the production rehearsal's class histograms).
     */
    private void dropIdleRoutes() {
        if (scheduler.isShutdown()) {
            return; // closing: the pools close with their clients
        }
        http1Pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
        PoolingAsyncClientConnectionManager h2 = http2Pool;
        if (h2 != null) {
            h2.closeIdle(TimeValue.ZERO_MILLISECONDS);
        }
    }

    /** The routes the pools keep, idle ones included. */
    int pooledRoutes() {
        PoolingAsyncClientConnectionManager h2 = http2Pool;
        return http1Pool.getRoutes().size() + (h2 == null ? 0 : h2.getRoutes().size());
    }

    /**
     * The checks of one address, one after the other: the next is scheduled only when the last
     * has finished, so checks of a slow address never pile up. The first runs at once (the
     * address takes no traffic before it passes); each next after the interval, give or take a
     * quarter at random, so that the checks of addresses found together drift apart.
     */
    private final class Schedule {
        final Backend backend;
        final Endpoint endpoint;
        private boolean started;
        private volatile boolean cancelled;
        private volatile ScheduledFuture<?> next;

        Schedule(Backend backend, Endpoint endpoint) {
            this.backend = backend;
            this.endpoint = endpoint;
        }

        synchronized void start() {
            if (!started) {
                started = true;
                next = scheduler.schedule(this::run, 0, TimeUnit.NANOSECONDS);
            }
        }

        private void run() {
            if (cancelled || endpoint.retired()) {
                return;
            }
            check(backend, endpoint);
            long period = interval.toNanos();
            long delay = period - period / 4 + ThreadLocalRandom.current().nextLong(period / 2 + 1);
            try {
                if (!cancelled) {
                    next = scheduler.schedule(this::run, delay, TimeUnit.NANOSECONDS);
                }
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // the checker is closing
            }
        }

        void cancel() {
            cancelled = true;
            ScheduledFuture<?> f = next;
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    private void check(Backend backend, Endpoint endpoint) {
        if (endpoint.retired()) {
            return;
        }
        HealthCheck spec = backend.healthCheck();
        String detail;
        boolean ok;
        try {
            // the address to connect to, and the backend's own name for Host and TLS
            HttpHost host = new HttpHost(spec.scheme(), endpoint.address(), backend.name(), spec.port());
            int status = spec.protocol() == BackendProtocol.HTTP_2
                    ? checkOverHttp2(host, spec.path()) : checkOverHttp1(host, spec.path());
            ok = status >= 200 && status < 400;
            detail = Integer.toString(status);
        } catch (IOException | RuntimeException e) {
            ok = false;
            detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        (ok ? passed : failed).increment();
        Endpoint.Readiness before = endpoint.checked(ok, detail, fall, rise);
        if (before != null) {
            String why = detail;
            Level level = endpoint.isReady() ? Level.INFO : Level.WARNING;
            LOG.log(level, () -> "backend " + backend.name() + " address " + endpoint.address().getHostAddress() + " is "
                    + (endpoint.isReady() ? "ready" : "ejected") + ": health check " + spec.path() + " answered " + why);
        } else if (!ok && !endpoint.isReady()) {
            String why = detail;
            LOG.fine(() -> "backend " + backend.name() + " address " + endpoint.address().getHostAddress()
                    + " is not ready: health check " + spec.path() + " answered " + why);
        }
        backend.checkFinished();
    }

    private int checkOverHttp1(HttpHost host, String path) throws IOException {
        BasicClassicHttpRequest request = new BasicClassicHttpRequest("GET", host, path);
        request.addHeader("User-Agent", USER_AGENT);
        // a fresh connection each time: it tests connecting too, and no stale pooled connection
        // (closed by the backend since the last check) can fail a check of a healthy address
        request.addHeader("Connection", "close");
        return client.execute(host, request, response -> {
            EntityUtils.consume(response.getEntity());
            return response.getCode();
        });
    }

    /**
     * Over HTTP/2 (prior knowledge for {@code http}, ALPN {@code h2} for {@code https}) to the
     * address itself; the body is read and dropped.
     */
    private int checkOverHttp2(HttpHost host, String path) throws IOException {
        CloseableHttpAsyncClient h2 = http2Client();
        if (h2 == null) {
            throw new IOException("the health checker is closing");
        }
        SimpleHttpRequest request = SimpleRequestBuilder.get().setHttpHost(host).setPath(path)
                .addHeader("User-Agent", USER_AGENT).build();
        HttpClientContext context = HttpClientContext.create();
        context.setAttribute(ADDRESS, host.getAddress());
        Future<Message<HttpResponse, Void>> answer = h2.execute(SimpleRequestProducer.create(request),
                new BasicResponseConsumer<>(new DiscardingEntityConsumer<>()), null, context, null);
        long bound = timeout.toMilliseconds() * 2; // connect, then answer
        try {
            return answer.get(bound, TimeUnit.MILLISECONDS).getHead().getCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new InterruptedIOException("no answer within " + bound + " ms");
        }
    }

    /**
     * The client of HTTP/2 checks, made at the first one, with one I/O thread. Its routes go to the
     * address a check names ({@link #ADDRESS}): the non-blocking client takes its target from the
     * request's authority, a name, and would resolve it itself, checking whichever address the JVM's
     * resolver gives first (or none).
     */
    private synchronized CloseableHttpAsyncClient http2Client() {
        if (http2Client == null && !closed) {
            http2Pool = PoolingAsyncClientConnectionManagerBuilder.create()
                    .setMaxConnPerRoute(1)
                    .setMaxConnTotal(THREADS)
                    .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout)
                            .setSocketTimeout(timeout).build())
                    .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2).build())
                    .build();
            http2Client = HttpAsyncClients.custom()
                    .setConnectionManager(http2Pool)
                    .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(timeout)
                            .setResponseTimeout(timeout).build())
                    .setRoutePlanner((target, context) -> new HttpRoute(new HttpHost(target.getSchemeName(),
                            (InetAddress) context.getAttribute(ADDRESS), target.getHostName(), target.getPort()),
                            null, URIScheme.HTTPS.same(target.getSchemeName())))
                    .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                    .setH2Config(H2Config.custom().setPushEnabled(false).build())
                    .setThreadFactory(task -> {
                        Thread t = new Thread(task, "hostproxy-health-check-h2");
                        t.setDaemon(true);
                        http2Threads.add(t);
                        return t;
                    })
                    .disableRedirectHandling()
                    .disableAutomaticRetries()
                    .disableCookieManagement()
                    .disableAuthCaching()
                    .disableConnectionState()
                    .build();
            http2Client.start();
        }
        return http2Client;
    }

    long passed() {
        return passed.sum();
    }

    long failed() {
        return failed.sum();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            for (Thread t : threads) {
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close(CloseMode.IMMEDIATE);
        CloseableHttpAsyncClient h2;
        synchronized (this) {
            closed = true;
            h2 = http2Client;
        }
        if (h2 != null) {
            h2.close(CloseMode.IMMEDIATE);
            try {
                for (Thread t : http2Threads) {
                    t.join(5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
