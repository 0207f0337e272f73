package hostproxy.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import hostproxy.config.LiveRoutes;
import hostproxy.upstream.Upstreams;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.core5.pool.PoolStats;

/**
 * The admin port: status page {@code /}, {@code /healthz}, {@code /readyz} and {@code /metrics},
 * served by the JDK's own HTTP server ({@code com.sun.net.httpserver}, module {@code jdk.httpserver})
 * on a port apart from the container's connectors, started and stopped with the application. A
 * WAR cannot add a connector to its container portably; this server needs no dependency, is the
 * same on every container, and never exposes these paths on the public port.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AdminServer.class.getName());
    /** Threads answering admin requests: probes and a scraper, nothing that needs more. */
    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;
    /** The executor's threads, joined on close: a terminated executor's last thread may still be ending. */
    private final List<Thread> threads;

    private AdminServer(HttpServer server, ExecutorService executor, List<Thread> threads) {
        this.server = server;
        this.executor = executor;
        this.threads = threads;
    }

    /**
     * Starts the admin port, or, when it cannot (the port is taken: a second deployment in the same
     * JVM, a parallel version), logs one WARNING line saying so and returns {@code null}: the
     * proxy itself runs on either way.
     *
     * @param phase       where the proxy is; {@code /readyz} is 200 only when
     *                    ready (a routes file that cannot be taken changes nothing: the last good routes serve)
     * @param healthCheck the active health checks in force, described
     * @param routesFile  the routes file and how often it is read, described
     */
    public static AdminServer start(InetAddress address, int port, String version, Instant started, Upstreams upstreams,
            ProxyMetrics metrics, Supplier<PoolStats> pool, Supplier<ProxyPhase> phase, Supplier<String> healthCheck,
            LiveRoutes routes, String routesFile) {
        InetSocketAddress at = new InetSocketAddress(address, port);
        HttpServer server;
        try {
            server = HttpServer.create(at, 16);
        } catch (IOException e) {
            LOG.warning(() -> "hostproxy: admin endpoints (status page, /healthz, /readyz, /metrics) are off: cannot listen on "
                    + hostPort(at) + " (" + e.getMessage() + "); the proxy runs without them. Set adminPort to a free port, or 0.");
            return null;
        }
        AtomicInteger n = new AtomicInteger();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "hostproxy-admin-" + n.incrementAndGet());
                    t.setDaemon(true);
                    threads.add(t);
                    return t;
                });
        StatusPage page = new StatusPage(version, started, upstreams, metrics, pool, phase, healthCheck, routes, routesFile);
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, page, metrics, phase));
        server.start();
        LOG.info(() -> "hostproxy admin endpoints on http://" + hostPort(server.getAddress())
                + "/ (status page, /healthz, /readyz, /metrics)");
        return new AdminServer(server, executor, threads);
    }

    /**
     * The JDK's server runs a timer thread ({@code idle-timeout-task}) that {@code stop} cancels
     * but does not join; it inherited this application's class loader, so a container checking
     * for leaks right after the stop would see it. Waits for it, at most a second.
     */
    private void joinIdleTimer() {
        ClassLoader ours = AdminServer.class.getClassLoader();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("idle-timeout-task") && t.getContextClassLoader() == ours) {
                try {
                    t.join(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The port it listens on (the one chosen by the system when {@code adminPort} asked for any). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, StatusPage page, ProxyMetrics metrics, Supplier<ProxyPhase> phase)
            throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            switch (exchange.getRequestURI().getRawPath()) {
                case "/" -> send(exchange, 200, "text/html; charset=utf-8", page.render());
                case "/healthz" -> send(exchange, 200, "text/plain; charset=utf-8", "ok\n");
                case "/readyz" -> {
                    ProxyPhase p = phase.get();
                    send(exchange, p == ProxyPhase.READY ? 200 : 503, "text/plain; charset=utf-8", p + "\n");
                }
                case "/metrics" -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                default -> send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "admin request failed", e);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops listening, drops admin requests under way, and joins its threads. */
    @Override
    public void close() {
        server.stop(0);
        joinIdleTimer();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
            for (Thread t : threads) {
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
