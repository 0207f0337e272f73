package hostproxy.admin;

import hostproxy.config.LiveRoutes;
import hostproxy.upstream.BackendStatus;
import hostproxy.upstream.Upstreams;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.httpcomponents.hc5.PoolingHttpClientConnectionManagerMetricsBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.pool.ConnPoolControl;

/**
 * The proxy's metrics, in a Micrometer registry of this deployment's own (never the global one),
 * exposed in Prometheus' text format. Label values that clients choose are bounded: a method
 * outside the standard ones counts as {@value #OTHER_METHOD}, a request that reached no known backend as
 * {@value #NO_BACKEND}, and past {@value #MAX_BACKENDS} backend names every further one as {@value #OTHER_BACKEND}.
 */
public final class ProxyMetrics implements AutoCloseable {
    public static final String NO_BACKEND = "_none";
    public static final String OTHER_BACKEND = "_other";
    public static final String OTHER_METHOD = "other";
    static final int MAX_BACKENDS = 500;
    /** gRPC's status codes, 0 to 16: the values of the {@code grpc_status} label besides none and other. */
    private static final Pattern GRPC_CODE = Pattern.compile("1[0-6]|[0-9]");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
            "TRACE", "CONNECT");
    /** Buckets of the duration histogram: a handful, so that each backend adds few series. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Latency percentiles for the status page only: time-windowed, not exported (the histogram is). */
    private final SimpleMeterRegistry percentiles = new SimpleMeterRegistry();
    private final Set<String> backendLabels = ConcurrentHashMap.newKeySet();
    private final Upstreams upstreams;
    private final MultiGauge backendUp;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final AtomicInteger tunnelsOpen = new AtomicInteger();
    private final Counter tunnelBytesToBackend;
    private final Counter tunnelBytesToClient;

    // Micrometer 1.17 deprecates its HttpClient 5 pool binder for HttpClient's own
    // httpclient5-observation module (5.6+), which this build does not carry yet; it works as before.
    @SuppressWarnings("deprecation")
    public ProxyMetrics(Upstreams upstreams, ConnPoolControl<HttpRoute> pool, IntSupplier inFlight, LiveRoutes routes,
            String version) {
        this.upstreams = upstreams;
        // Two of ProcessorMetrics' names break Prometheus' naming rules (promtool says so): left out.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count")));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new PoolingHttpClientConnectionManagerMetricsBinder(pool, "upstream").bindTo(registry);
        Gauge.builder("hostproxy.info", () -> 1).description("Always 1; the version as a label")
                .tag("version", version).register(registry);
        Gauge.builder("hostproxy.requests.in.flight", inFlight::getAsInt)
                .description("Exchanges being relayed now").register(registry);
        backendUp = MultiGauge.builder("hostproxy.backend.up")
                .description("1 when the address takes traffic (healthy), 0 when failing, not ready, ejected or "
                        + "refused (backendNetworks)")
                .register(registry);
        FunctionCounter.builder("hostproxy.dns.lookups", upstreams, Upstreams::lookups)
                .description("DNS answers taken in: first lookups, refreshes and forced lookups").register(registry);
        FunctionCounter.builder("hostproxy.dns.failures", upstreams, Upstreams::lookupFailures)
                .description("DNS lookups without a usable answer (unreachable, timeout, SERVFAIL)").register(registry);
        FunctionCounter.builder("hostproxy.health.checks", upstreams, Upstreams::healthChecksPassed)
                .description("Active health checks").tag("result", "pass").register(registry);
        FunctionCounter.builder("hostproxy.health.checks", upstreams, Upstreams::healthChecksFailed)
                .description("Active health checks").tag("result", "fail").register(registry);
        // as Prometheus reports its own configuration's reloads
        FunctionCounter.builder("hostproxy.routes.reloads", routes, LiveRoutes::reloads)
                .description("Changed routes files taken (ok), or refused for a problem (failed)").tag("result", "ok")
                .register(registry);
        FunctionCounter.builder("hostproxy.routes.reloads", routes, LiveRoutes::failedReloads)
                .description("Changed routes files taken (ok), or refused for a problem (failed)").tag("result", "failed")
                .register(registry);
        Gauge.builder("hostproxy.routes.last.reload.successful", routes, r -> r.lastReloadSuccessful() ? 1 : 0)
                .description("1 when the routes file, as it reads now, is in force; "
                        + "0 while a problem keeps the last good routes")
                .register(registry);
        Gauge.builder("hostproxy.tunnels.open", tunnelsOpen, AtomicInteger::get)
                .description("Upgraded connections (WebSocket) open now").register(registry);
        tunnelBytesToBackend = Counter.builder("hostproxy.tunnel.bytes").tag("direction", "to_backend")
                .description("Bytes relayed through upgraded connections").register(registry);
        tunnelBytesToClient = Counter.builder("hostproxy.tunnel.bytes").tag("direction", "to_client")
                .description("Bytes relayed through upgraded connections").register(registry);
    }

    /**
     * One exchange ended.
     *
     * @param backend   the backend name, when DNS knew it; else {@code null}
     * @param status    the status the client got
     * @param errorKind the proxy's failure ({@code refused}, {@code aborted} ...), or {@code null}
     */
    public void exchange(String method, String backend, int status, String errorKind, long nanos, int retries) {
        String b = backendLabel(backend);
        requests.computeIfAbsent(new RequestKey(b, statusClass(status), methodLabel(method)), k ->
                Counter.builder("hostproxy.requests").description("Requests answered, by backend, status class and method")
                        .tags("backend", k.backend(), "status_class", k.statusClass(), "method", k.method())
                        .register(registry)).increment();
        Timers t = timers.computeIfAbsent(b, k -> new Timers(
                Timer.builder("hostproxy.request.duration").description("Time from request to the end of the response")
                        .tag("backend", k).serviceLevelObjectives(BUCKETS).register(registry),
                Timer.builder("hostproxy.request.duration").tag("backend", k).publishPercentiles(0.5, 0.99)
                        .register(percentiles)));
        t.exported().record(nanos, TimeUnit.NANOSECONDS);
        t.forStatusPage().record(nanos, TimeUnit.NANOSECONDS);
        if (errorKind != null) {
            errors.computeIfAbsent(new ErrorKey(b, errorKind), k ->
                    Counter.builder("hostproxy.errors").description("Exchanges the proxy failed, by backend and kind")
                            .tags("backend", k.backend(), "kind", k.kind()).register(registry)).increment();
        }
        if (retries > 0) {
            this.retries.computeIfAbsent(b, k ->
                    Counter.builder("hostproxy.retries").description("Attempts sent again to another address or connection")
                            .tag("backend", k).register(registry)).increment(retries);
        }
    }

    /**
     * One gRPC call ended with this {@code grpc-status} (the backend's, or hostproxy's own answer), or
     * without one ({@code null}: counted as {@code none}: a reset stream, a cancel, a backend that
     * answered plain HTTP). A value that is not one of gRPC's codes (0 to 16) counts as {@code other},
     * so that a backend cannot grow the label's values without bound.
     */
    public void grpcCall(String backend, String grpcStatus) {
        String code = grpcStatus == null ? "none" : GRPC_CODE.matcher(grpcStatus).matches() ? grpcStatus : "other";
        grpcCalls.computeIfAbsent(new GrpcKey(backendLabel(backend), code), k ->
                Counter.builder("hostproxy.grpc.calls").description("gRPC calls ended, by backend and grpc-status")
                        .tags("backend", k.backend(), "grpc_status", k.code()).register(registry)).increment();
    }

    // Meters by label values, so that an exchange costs a map lookup, not a registration. Bounded
    // like the label values themselves.
    private record RequestKey(String backend, String statusClass, String method) {
    }

    private record ErrorKey(String backend, String kind) {
    }

    private record Timers(Timer exported, Timer forStatusPage) {
    }

    private record GrpcKey(String backend, String code) {
    }

    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<ErrorKey, Counter> errors = new ConcurrentHashMap<>();
    private final Map<GrpcKey, Counter> grpcCalls = new ConcurrentHashMap<>();
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();
    private final Map<String, Timers> timers = new ConcurrentHashMap<>();

    /** For the tunnel package: an upgraded connection opened (+1) or closed (-1). */
    public void tunnelsOpen(int delta) {
        tunnelsOpen.addAndGet(delta);
    }

    public void tunnelBytes(boolean toBackend, long bytes) {
        (toBackend ? tunnelBytesToBackend : tunnelBytesToClient).increment(bytes);
    }

    static String statusClass(int status) {
        return status >= 100 && status < 600 ? status / 100 + "xx" : "other";
    }

    static String methodLabel(String method) {
        return METHODS.contains(method) ? method : OTHER_METHOD;
    }

    /** The backend as a label value: bounded in number whatever names clients send. */
    String backendLabel(String backend) {
        if (backend == null) {
            return NO_BACKEND;
        }
        if (backendLabels.contains(backend)) {
            return backend;
        }
        synchronized (backendLabels) {
            if (backendLabels.size() < MAX_BACKENDS) {
                backendLabels.add(backend);
                return backend;
            }
        }
        return OTHER_BACKEND;
    }

    /** The exposition, in Prometheus' text format (version 0.0.4). */
    public String scrape() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        int names = 0;
        for (BackendStatus b : upstreams.snapshot()) {
            if (names++ >= MAX_BACKENDS) {
                break;
            }
            for (BackendStatus.Address a : b.addresses()) {
                rows.add(MultiGauge.Row.of(Tags.of("backend", b.name(), "address", a.address()), a.up() ? 1 : 0));
            }
        }
        backendUp.register(rows, true);
        return registry.scrape();
    }

    MeterRegistry registry() {
        return registry;
    }

    /** What the status page shows of one backend label. */
    record BackendNumbers(long requests, Map<String, Long> errors, long retries, double p50Millis, double p99Millis) {
    }

    BackendNumbers numbers(String backend) {
        long requests = (long) registry.find("hostproxy.requests").tag("backend", backend).counters().stream()
                .mapToDouble(Counter::count).sum();
        Map<String, Long> errors = new TreeMap<>();
        registry.find("hostproxy.errors").tag("backend", backend).counters()
                .forEach(c -> errors.merge(c.getId().getTag("kind"), (long) c.count(), Long::sum));
        long retries = (long) registry.find("hostproxy.retries").tag("backend", backend).counters().stream()
                .mapToDouble(Counter::count).sum();
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Timer t = percentiles.find("hostproxy.request.duration").tag("backend", backend).timer();
        if (t != null) {
            for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
                if (v.percentile() == 0.5) {
                    p50 = v.value(TimeUnit.MILLISECONDS);
                } else if (v.percentile() == 0.99) {
                    p99 = v.value(TimeUnit.MILLISECONDS);
                }
            }
        }
        return new BackendNumbers(requests, errors, retries, p50, p99);
    }

    int tunnelsOpen() {
        return tunnelsOpen.get();
    }

    /** Releases the GC notification listeners and every meter. */
    @Override
    public void close() {
        gc.close();
        registry.close();
        percentiles.close();
    }
}
