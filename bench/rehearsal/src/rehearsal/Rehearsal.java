package rehearsal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The production rehearsal's driver (issue 21): starts the backend replicas, then runs traffic and
 * faults through the proxy that {@code bench/run --rehearsal} started, in phases, and journals
 * everything for {@code report.py}:
 * <pre>
 *   warm-up (traffic, no faults; then the container's caches filled, {@link CachePrimer}) | quiet (baseline)
 *   | busy (traffic + faults) | quiet | busy | quiet ...
 * </pre>
 * A busy phase runs every load at once (see {@link Traffic}, {@link EventStreams},
 * {@link WebSockets}, {@link GrpcLoad}) and every fault ({@link Churn}, {@link RoutesEditor}); a
 * quiet phase stops them, waits until nothing is under way in the proxy, and measures what it holds.
 *
 * <p>Arguments, {@code name=value}: minutes, proxy-port, admin-port, pid (the proxy's JVM), jdk,
 * backend-port, dns (address:port), hosts-dir, routes-file, dns-refresh-ms, out (journals),
 * scale (traffic multiplier, default 1), big-mib (default 100), settle-s (how long a quiet
 * phase waits, once nothing is under way, before it measures; default 95: Tomcat's pool threads
 * end after 60 s idle, and idle pooled backend connections are closed after responseTimeout (60 s)
 * idle, looked for every 30 s), heap-dumps (true: the proxy's heap dumped in the baseline and in
 * the latest quiet phase, {@code heap-quiet-0.hprof} and {@code heap-latest.hprof} beside the journals).
 */
public final class Rehearsal {
    private final Map<String, String> args;
    private final double scale;
    private final InetSocketAddress proxy;
    private final Journal phases;
    private final Journal samples;
    private final Journal quiet;
    private final Fleet fleet;
    private final Sampler sampler;
    private final Outcomes outcomes;
    private final Http1Exchanges http1;
    private final EventStreams sse;
    private final WebSockets ws;
    private final Churn churn;
    private final RoutesEditor routes;
    private final long settleMillis;
    private final Path out;
    private final boolean heapDumps;
    private volatile String phase = "start";

    private Rehearsal(Map<String, String> args) throws IOException {
        this.args = args;
        out = Path.of(args.get("out"));
        Files.createDirectories(out.resolve("replicas"));
        scale = Double.parseDouble(args.getOrDefault("scale", "1"));
        settleMillis = Long.parseLong(args.getOrDefault("settle-s", "95")) * 1000;
        heapDumps = Boolean.parseBoolean(args.getOrDefault("heap-dumps", "false"));
        proxy = new InetSocketAddress("127.0.0.1", integer("proxy-port"));
        Journal faults = new Journal(out.resolve("faults.jsonl"));
        phases = new Journal(out.resolve("phases.jsonl"));
        samples = new Journal(out.resolve("samples.jsonl"));
        quiet = new Journal(out.resolve("quiet.jsonl"));
        outcomes = new Outcomes(new Journal(out.resolve("exchanges.jsonl")));
        String[] dns = args.get("dns").split(":");
        long dnsRefresh = Long.parseLong(args.getOrDefault("dns-refresh-ms", "5000"));
        fleet = new Fleet(new Dns(Path.of(args.get("hosts-dir")), new InetSocketAddress(dns[0], Integer.parseInt(dns[1]))),
                faults, args.get("jdk") + "/bin/java", System.getProperty("java.class.path"), out.resolve("replicas"),
                integer("backend-port"), dnsRefresh);
        sampler = new Sampler(integer("admin-port"), Long.parseLong(args.get("pid")), args.get("jdk"), integer("backend-port"));
        http1 = new Http1Exchanges(outcomes);
        sse = new EventStreams(proxy, outcomes, (int) Math.round(300 * scale));
        ws = new WebSockets(proxy, outcomes, (int) Math.round(300 * scale));
        churn = new Churn(fleet, 10_000);
        routes = new RoutesEditor(Path.of(args.get("routes-file")), faults, 20_000, integer("backend-port"));
    }

    private int integer(String name) {
        return Integer.parseInt(args.get(name));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            args.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        Rehearsal r = new Rehearsal(args);
        try {
            r.run(Duration.ofSeconds((long) (Double.parseDouble(args.get("minutes")) * 60)));
        } finally {
            r.fleet.close();
        }
        System.exit(0); // daemon threads of the loads and the JDK's client may linger
    }

    private void run(Duration total) throws Exception {
        long begin = System.currentTimeMillis();
        routes.write(0);
        Fleet.Member flapper = null;
        for (int i = 0; i < 4; i++) {
            flapper = fleet.add("app", "normal");
        }
        flapper.flapping = true; // its health check fails and passes in turns: never counted on
        fleet.add("slow", "slow");
        fleet.add("broken", "malformed");
        fleet.add("grpc", "grpc");
        fleet.add("grpc", "grpc");
        awaitProxy();
        Thread sampling = new Thread(this::sampleEvery5s, "sampler");
        sampling.setDaemon(true);
        sampling.start();

        long seconds = total.toSeconds();
        long warm = Math.min(45, Math.max(20, seconds / 10));
        int cycles = (int) Math.max(1, Math.round((seconds - warm) / 400.0));
        long quietGuess = settleMillis / 1000 + 10;
        long busy = Math.max(30, (seconds - warm - (cycles + 1) * quietGuess) / cycles);
        log("plan: warm-up " + warm + " s, quiet, then " + cycles + " x (busy " + busy + " s with faults, quiet)");
        busy("warm-up", warm, false);
        int primed = CachePrimer.prime(proxy, 250, 1024 * 1024);
        log("primed the container's caches: " + primed + " of 250 downloads of 1 MiB from slow at once came whole");
        quiet("quiet-0");
        for (int i = 1; i <= cycles; i++) {
            busy("busy-" + i, busy, true);
            quiet("quiet-" + i);
        }
        phases.write("t", System.currentTimeMillis(), "phase", "end", "event", "end");
        phases.flush();
        log("done in " + (System.currentTimeMillis() - begin) / 1000 + " s; " + outcomes.done() + " exchanges");
        phase = "end";
        sampling.interrupt();
        samples.flush();
        outcomes.flush();
    }

    /** The proxy answers a request for {@code app} (its first health checks have passed), within 60 s. */
    private void awaitProxy() throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try (ProxyConnection c = new ProxyConnection(proxy, 5_000)) {
                c.request("GET", "/data?size=10", "app", "ready-check");
                Wire.Head head = c.readHead();
                if (head != null && head.status() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(500);
        }
        throw new IOException("the proxy does not answer GET /data for app within 60 s");
    }

    private void busy(String name, long seconds, boolean faults) throws Exception {
        phase = name;
        phases.write("t", System.currentTimeMillis(), "phase", name, "event", "start", "faults", faults);
        phases.flush();
        log(name + ": " + seconds + " s of traffic" + (faults ? " and faults" : ""));
        List<Http2Exchanges> h2 = List.of(new Http2Exchanges(outcomes, proxy.getPort()), new Http2Exchanges(outcomes, proxy.getPort()));
        List<Load> loads = new ArrayList<>(List.of(sse, ws,
                Traffic.steady(proxy, http1, 20 * scale, 12),
                Traffic.http2(h2, 5 * scale, 4),
                Traffic.service(proxy, http1, "slow", scale, 3, 256 * 1024),
                Traffic.service(proxy, http1, "broken", scale, 2, 64 * 1024),
                Traffic.slowClients(proxy, http1, 2, 128 * 1024),
                Traffic.vanishing(proxy, outcomes, 2_000),
                Traffic.big(proxy, http1, Long.parseLong(args.getOrDefault("big-mib", "100")) * 1024 * 1024),
                new GrpcLoad(outcomes, GrpcCalls.HOST + ".rehearsal.test", proxy.getPort(), 10 * scale)));
        if (faults) {
            loads.add(routes);
            churn.start(seconds * 1000);
        }
        for (Load l : loads) {
            l.start();
        }
        Thread.sleep(seconds * 1000);
        if (faults) {
            churn.stop(); // drains and kills under way finish first, with the traffic still on
        }
        for (Load l : loads) {
            l.stop();
        }
        phases.write("t", System.currentTimeMillis(), "phase", name, "event", "end");
        phases.flush();
    }

    /** Nothing under way, then what the proxy holds: the figures that must not grow. */
    private void quiet(String name) throws Exception {
        phase = name;
        long start = System.currentTimeMillis();
        phases.write("t", start, "phase", name, "event", "start");
        long idleMillis = sampler.awaitIdle(Duration.ofSeconds(90));
        // Tomcat ends a pool thread idle for its maxIdleTime (60 s), and hostproxy closes a pooled
        // backend connection idle for responseTimeout (60 s; looked for every 30 s, and each holds
        // 96 KiB of buffers): threads and the heap are measured after that.
        Thread.sleep(settleMillis);
        double heap = sampler.heapAfterFullGc();
        Files.writeString(out.resolve("histogram-" + name + ".txt"), sampler.classHistogram());
        if (heapDumps) { // the baseline's, and the latest quiet phase's
            Files.deleteIfExists(out.resolve("heap-latest.hprof"));
            sampler.heapDump(out.resolve(name.equals("quiet-0") ? "heap-quiet-0.hprof" : "heap-latest.hprof"));
        }
        Map<String, Object> s = sampler.sample();
        Map<String, Integer> connections = sampler.backendConnections();
        Set<String> live = Stream.of("app", "slow", "broken", "grpc").flatMap(service -> fleet.members(service).stream())
                .map(m -> m.address).collect(Collectors.toSet());
        Map<String, Object> line = new java.util.LinkedHashMap<>();
        line.put("t", System.currentTimeMillis());
        line.put("phase", name);
        line.put("idle_ms", idleMillis);
        line.put("heap_after_gc", heap);
        line.putAll(s);
        line.put("backend_connections", connections.values().stream().mapToInt(Integer::intValue).sum());
        line.put("to_departed_replicas", Sampler.toDeparted(connections, live));
        line.put("thread_kinds", sampler.threadKinds().toString());
        quiet.write(line);
        quiet.flush();
        phases.write("t", System.currentTimeMillis(), "phase", name, "event", "end");
        phases.flush();
        log(name + ": idle after " + idleMillis + " ms; heap after GC " + Math.round(heap / 1048576) + " MiB, threads "
                + s.get("threads") + ", fds " + s.get("fds") + ", backend connections " + line.get("backend_connections")
                + " (" + line.get("to_departed_replicas") + " to departed replicas)");
    }

    /** Every 5 s what the proxy holds; every minute of a busy phase also the heap after a full GC. */
    private void sampleEvery5s() {
        for (int n = 1; !Thread.currentThread().isInterrupted(); n++) {
            Map<String, Object> s = new java.util.LinkedHashMap<>();
            s.put("t", System.currentTimeMillis());
            s.put("phase", phase);
            if (n % 12 == 0 && phase.startsWith("busy")) {
                s.put("heap_after_full_gc", sampler.heapAfterFullGc());
            }
            s.putAll(sampler.sample());
            s.put("sse_open", sse.open.get());
            s.put("ws_open", ws.open.get());
            s.put("exchanges", outcomes.done());
            s.put("replicas", fleet.members("app").size());
            samples.write(s);
            samples.flush();
            outcomes.flush();
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void log(String line) {
        System.out.printf("[rehearsal %tT] %s%n", System.currentTimeMillis(), line);
    }
}
