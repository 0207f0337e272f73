package rehearsal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the proxy holds, read from outside as an operator would: its admin port's {@code /metrics}
 * (exchanges in flight, tunnels, the backend pool, heap), {@code /proc} (threads, file descriptors,
 * memory, CPU), {@code jcmd GC.run} for the heap after a full collection, and {@code ss} for its
 * connections to each backend address.
 */
final class Sampler {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI metrics;
    private final long pid;
    private final String jcmd;
    private final int backendPort;

    Sampler(int adminPort, long pid, String jdk, int backendPort) {
        this.metrics = URI.create("http://127.0.0.1:" + adminPort + "/metrics");
        this.pid = pid;
        this.jcmd = jdk + "/bin/jcmd";
        this.backendPort = backendPort;
    }

    /** The figures of one moment, by name (missing ones left out). */
    Map<String, Object> sample() {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Double> m = metrics();
        put(s, "in_flight", m.get("hostproxy_requests_in_flight"));
        put(s, "tunnels", m.get("hostproxy_tunnels_open"));
        put(s, "pool_leased", m.get("httpcomponents_httpclient_pool_total_connections{httpclient=\"upstream\",state=\"leased\"}"));
        put(s, "pool_available", m.get("httpcomponents_httpclient_pool_total_connections{httpclient=\"upstream\",state=\"available\"}"));
        put(s, "pool_pending", m.get("httpcomponents_httpclient_pool_total_pending{httpclient=\"upstream\"}"));
        put(s, "heap_used", sum(m, "jvm_memory_used_bytes{area=\"heap\""));
        put(s, "routes_reloads_ok", m.get("hostproxy_routes_reloads_total{result=\"ok\"}"));
        put(s, "routes_reloads_failed", m.get("hostproxy_routes_reloads_total{result=\"failed\"}"));
        put(s, "routes_last_ok", m.get("hostproxy_routes_last_reload_successful"));
        put(s, "health_pass", m.get("hostproxy_health_checks_total{result=\"pass\"}"));
        put(s, "health_fail", m.get("hostproxy_health_checks_total{result=\"fail\"}"));
        s.put("threads", count("/proc/" + pid + "/task"));
        s.put("fds", count("/proc/" + pid + "/fd"));
        s.put("rss_kb", status("VmRSS"));
        s.put("cpu_ticks", cpuTicks());
        long[] host = hostTicks();
        s.put("host_busy_ticks", host[0]);
        s.put("host_total_ticks", host[1]);
        return s;
    }

    /** The whole machine's CPU time, busy and in all, from {@code /proc/stat} (every process of the run shares it). */
    private static long[] hostTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total - Long.parseLong(f[4]) - Long.parseLong(f[5]), total}; // less idle and iowait
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    private static void put(Map<String, Object> s, String name, Double v) {
        if (v != null) {
            s.put(name, v);
        }
    }

    /** Every sample of {@code /metrics} (name with its labels as written), empty when it does not answer. */
    Map<String, Double> metrics() {
        Map<String, Double> values = new TreeMap<>();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                int space = line.lastIndexOf(' ');
                if (line.isEmpty() || line.startsWith("#") || space < 0) {
                    continue;
                }
                try {
                    values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                } catch (NumberFormatException e) {
                    // NaN and the like: left out
                }
            }
        } catch (IOException e) {
            // no answer: an empty sample
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return values;
    }

    private static Double sum(Map<String, Double> m, String prefix) {
        double total = 0;
        boolean any = false;
        for (Map.Entry<String, Double> e : m.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                total += e.getValue();
                any = true;
            }
        }
        return any ? total : null;
    }

    private static int count(String dir) {
        String[] names = Path.of(dir).toFile().list();
        return names == null ? -1 : names.length;
    }

    private long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return -1;
    }

    private long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Waits (at most {@code bound}) until nothing is under way: no exchange in flight, no tunnel,
     * no backend connection leased or awaited.
     *
     * @return the milliseconds it took, or -1 if it did not happen within the bound
     */
    long awaitIdle(Duration bound) throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < bound.toNanos()) {
            Map<String, Object> s = sample();
            if (zero(s, "in_flight") && zero(s, "tunnels") && zero(s, "pool_leased") && zero(s, "pool_pending")) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
            Thread.sleep(500);
        }
        return -1;
    }

    private static boolean zero(Map<String, Object> s, String name) {
        return s.get(name) instanceof Double d && d == 0;
    }

    /** The heap in use right after a full collection ({@code jcmd GC.run}), in bytes; -1 if unknown. */
    double heapAfterFullGc() {
        run(jcmd, Long.toString(pid), "GC.run");
        Double used = sum(metrics(), "jvm_memory_used_bytes{area=\"heap\"");
        return used == null ? -1 : used;
    }

    /** The live objects by class ({@code jcmd GC.class_histogram}, which collects first): what a growth is made of. */
    String classHistogram() {
        return run(jcmd, Long.toString(pid), "GC.class_histogram");
    }

    /** Writes a heap dump of the proxy (live objects only) to {@code file}, for a tool such as Eclipse MAT. */
    void heapDump(Path file) {
        run(jcmd, Long.toString(pid), "GC.heap_dump", file.toAbsolutePath().toString());
    }

    /** The proxy's established connections to backends, by backend address. */
    Map<String, Integer> backendConnections() {
        Map<String, Integer> byAddress = new TreeMap<>();
        String out = run("ss", "-Htn", "state", "established");
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            String peer = f[3];
            if (peer.endsWith(":" + backendPort)) { // the proxy's side: its peer is a replica's listening port
                String address = peer.substring(0, peer.lastIndexOf(':')).replace("[::ffff:", "").replace("]", "");
                byAddress.merge(address, 1, Integer::sum); // (a JVM's sockets are IPv6 ones: [::ffff:127.1.0.2])
            }
        }
        return byAddress;
    }

    /** The proxy's threads by name, digits left out ({@code http-nio-N-exec-N}: how many of each kind). */
    Map<String, Integer> threadKinds() {
        Map<String, Integer> kinds = new TreeMap<>();
        String[] tasks = Path.of("/proc/" + pid + "/task").toFile().list();
        for (String task : tasks == null ? new String[0] : tasks) {
            try {
                String name = Files.readString(Path.of("/proc/" + pid + "/task/" + task + "/comm")).trim();
                kinds.merge(name.replaceAll("[0-9]+", "N"), 1, Integer::sum);
            } catch (IOException e) {
                // ended meanwhile
            }
        }
        return kinds;
    }

    /** How many of {@code connections} go to addresses not in {@code live}. */
    static int toDeparted(Map<String, Integer> connections, Set<String> live) {
        return connections.entrySet().stream().filter(e -> !live.contains(e.getKey())).mapToInt(Map.Entry::getValue).sum();
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            Supplier<String> read = () -> {
                try (InputStream in = p.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            };
            String out = read.get();
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
