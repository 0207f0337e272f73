package hostproxy.admin;

import hostproxy.config.LiveRoutes;
import hostproxy.config.RouteTable;
import hostproxy.upstream.BackendStatus;
import hostproxy.upstream.Upstreams;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hc.core5.pool.PoolStats;

/**
 * The admin port's {@code /}: one server-rendered HTML page, no script and no external asset (the
 * networks hostproxy runs in are often offline), that reloads itself every few seconds.
 */
final class StatusPage {
    static final int REFRESH_SECONDS = 5;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final String version;
    private final Instant started;
    private final Upstreams upstreams;
    private final ProxyMetrics metrics;
    private final Supplier<PoolStats> pool;
    private final Supplier<ProxyPhase> phase;
    private final Supplier<String> healthCheck;
    private final LiveRoutes routes;
    private final String routesFile;

    /**
     * @param phase       where the proxy is
     * @param healthCheck a description of the active health checks, e.g. {@code GET /health every 10s}, or {@code off}
     * @param routesFile  the routes file and how often it is read, or {@code none}
     */
    StatusPage(String version, Instant started, Upstreams upstreams, ProxyMetrics metrics, Supplier<PoolStats> pool,
            Supplier<ProxyPhase> phase, Supplier<String> healthCheck, LiveRoutes routes, String routesFile) {
        this.version = version;
        this.started = started;
        this.upstreams = upstreams;
        this.metrics = metrics;
        this.pool = pool;
        this.phase = phase;
        this.healthCheck = healthCheck;
        this.routes = routes;
        this.routesFile = routesFile;
    }

    String render() {
        Instant now = Instant.now();
        List<BackendStatus> backends = upstreams.snapshot();
        PoolStats p = pool.get();
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>hostproxy status</title><style>").append(CSS).append("</style></head><body>\n");
        String shown = phase.get().toString();
        h.append("<header><h1>hostproxy</h1><span class=\"phase ").append(shown).append("\">")
                .append(shown).append("</span></header>\n");
        h.append("<dl class=\"facts\">")
                .append(fact("version", version))
                .append(fact("uptime", uptime(Duration.between(started, now))))
                .append(fact("started", TIME.format(started)))
                .append(fact("backend names", Integer.toString(backends.size())))
                .append(fact("connections to backends", p.getLeased() + " in use, " + p.getAvailable() + " idle, "
                        + p.getPending() + " waiting (at most " + p.getMax() + ")"))
                .append(fact("tunnels open", Integer.toString(metrics.tunnelsOpen())))
                .append(fact("DNS lookups", upstreams.lookups() + " (" + upstreams.lookupFailures() + " failed)"))
                .append(fact("health checks", healthCheck.get()))
                .append("</dl>\n");
        routes(h, now);
        if (backends.isEmpty()) {
            h.append("<p class=\"empty\">No backend name seen yet: names appear with their first request.</p>\n");
        }
        for (BackendStatus b : backends) {
            backend(h, b, now);
        }
        ProxyMetrics.BackendNumbers none = metrics.numbers(ProxyMetrics.NO_BACKEND);
        if (none.requests() > 0) {
            h.append("<section class=\"backend\"><h2>requests that reached no backend</h2><p>")
                    .append(none.requests()).append(" requests; ").append(esc(errors(none.errors())))
                    .append("</p></section>\n");
        }
        h.append("<footer>Generated ").append(TIME.format(now)).append("; reloads every ").append(REFRESH_SECONDS)
                .append(" s. Metrics: <a href=\"/metrics\">/metrics</a> · <a href=\"/healthz\">/healthz</a> · ")
                .append("<a href=\"/readyz\">/readyz</a></footer>\n</body></html>\n");
        return h.toString();
    }

    /** The routes in force, when they were loaded, and why the routes file as it reads now is not. */
    private void routes(StringBuilder h, Instant now) {
        LiveRoutes.Loaded loaded = routes.loaded();
        String problem = routes.problem();
        h.append("<section class=\"routes\" id=\"routes\"><h2>routes <span class=\"state ")
                .append(problem == null ? "healthy\">in force" : "failing\">last good kept").append("</span></h2>\n")
                .append("<p class=\"dns\">routes file: ").append(esc(routesFile)).append(" · loaded ")
                .append(TIME.format(loaded.at())).append(" (").append(ago(Duration.between(loaded.at(), now)))
                .append(")</p>\n");
        if (problem != null) {
            h.append("<p class=\"problem\">").append(esc(problem)).append("</p>\n");
        }
        List<RouteTable.Listed> listed = loaded.table().listed();
        if (listed.isEmpty()) {
            h.append("<p class=\"empty\">No route: every allowed label goes to the template's backend.</p>\n");
        } else {
            h.append("<table><thead><tr><th>label</th><th>target</th><th>options</th><th>from</th></tr></thead>"
                    + "<tbody>\n");
            for (RouteTable.Listed r : listed) {
                h.append("<tr><td class=\"address\">").append(esc(r.label()))
                        .append("</td><td class=\"address\">").append(r.target().equals("-") ? "- (template)" : esc(r.target()))
                        .append("</td><td class=\"address\">").append(esc(r.options()))
                        .append("</td><td>").append(esc(r.source())).append("</td></tr>\n");
            }
            h.append("</tbody></table>\n");
        }
        h.append("</section>\n");
    }

    private void backend(StringBuilder h, BackendStatus b, Instant now) {
        ProxyMetrics.BackendNumbers n = metrics.numbers(b.name());
        long up = b.addresses().stream().filter(BackendStatus.Address::up).count();
        String overall = b.addresses().isEmpty() ? "down" : up == b.addresses().size() ? "healthy" : up > 0 ? "degraded" : "down";
        h.append("<section class=\"backend\" id=\"backend-").append(esc(b.name())).append("\"><h2><span class=\"name\">")
                .append(esc(b.name())).append("</span> <span class=\"state ").append(overall).append("\">")
                .append(overall).append("</span></h2>\n<p class=\"numbers\">")
                .append("<b>").append(n.requests()).append("</b> requests · errors: ").append(esc(errors(n.errors())))
                .append(" · retries: ").append(n.retries())
                .append(" · p50 ").append(millis(n.p50Millis())).append(" · p99 ").append(millis(n.p99Millis()))
                .append("</p>\n<p class=\"dns\">DNS: ")
                .append(b.lastLookupMillis() == 0 ? "not answered yet"
                        : esc(b.lastLookupResult()) + ", " + ago(Duration.between(Instant.ofEpochMilli(b.lastLookupMillis()), now)))
                .append("</p>\n<table><thead><tr><th>address</th><th>state</th><th>in flight</th><th>detail</th></tr></thead><tbody>\n");
        for (BackendStatus.Address a : b.addresses()) {
            h.append("<tr><td class=\"address\">").append(esc(a.address())).append("</td><td><span class=\"state ")
                    .append(a.state().replace(' ', '-')).append("\">").append(esc(a.state())).append("</span></td><td>")
                    .append(a.inFlight()).append("</td><td>").append(a.detail() == null ? "" : esc(a.detail()))
                    .append("</td></tr>\n");
        }
        h.append("</tbody></table></section>\n");
    }

    private static String fact(String name, String value) {
        return "<dt>" + esc(name) + "</dt><dd>" + esc(value) + "</dd>";
    }

    private static String errors(Map<String, Long> errors) {
        if (errors.isEmpty()) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        errors.forEach((kind, count) -> s.append(s.length() == 0 ? "" : ", ").append(kind).append(' ').append(count));
        return s.toString();
    }

    private static String millis(double ms) {
        if (Double.isNaN(ms)) {
            return "–";
        }
        return ms < 10 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    private static String ago(Duration d) {
        return d.toSeconds() < 1 ? "just now" : uptime(d) + " ago";
    }

    static String uptime(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86400 + "d " + s % 86400 / 3600 + "h";
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final String CSS = """
            body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;\
            padding:16px;color:#1d2330;background:#f6f7f9}\
            header{display:flex;align-items:center;gap:12px}h1{font-size:22px;margin:0}\
            h2{font-size:17px;margin:0 0 6px}\
            .facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;background:#fff;padding:10px 14px;\
            border:1px solid #dde1e7;border-radius:6px}.facts dt{color:#5b6475}.facts dd{margin:0}\
            .backend,.routes{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 14px;margin:12px 0}\
            .problem{background:#fde2e1;color:#a1221b;padding:6px 10px;border-radius:4px;overflow-wrap:anywhere}\
            .numbers,.dns{margin:2px 0;color:#3a4250}.dns{color:#5b6475}\
            table{border-collapse:collapse;width:100%;margin-top:6px;table-layout:fixed}\
            th:nth-child(1){width:22%}th:nth-child(2){width:14%}th:nth-child(3){width:10%}\
            td{overflow-wrap:anywhere}\
            th,td{text-align:left;padding:4px 8px;border-top:1px solid #eceef2}th{color:#5b6475;font-weight:600}\
            .address{font-family:ui-monospace,Menlo,Consolas,monospace}\
            .state,.phase{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}\
            .healthy,.ready{background:#dff5e3;color:#17692b}.failing,.degraded,.starting{background:#fff1d6;color:#8a5a00}\
            .not-ready{background:#e6ecf7;color:#2d4f8a}.ejected,.refused,.down,.draining{background:#fde2e1;color:#a1221b}\
            .empty{color:#5b6475}footer{color:#7a8291;font-size:12px;margin-top:16px}""";
}
