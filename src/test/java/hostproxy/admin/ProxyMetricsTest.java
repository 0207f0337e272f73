package hostproxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.config.LiveRoutes;
import hostproxy.config.ProxyConfig;
import java.time.Instant;
import hostproxy.upstream.Upstreams;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Label values stay bounded whatever clients send; names follow Prometheus' conventions. */
class ProxyMetricsTest {
    private Upstreams upstreams;
    private PoolingHttpClientConnectionManager pool;
    private ProxyMetrics metrics;

    @BeforeEach
    void start() {
        ProxyConfig config = ProxyConfig.from(s -> s.key().equals("dnsServers") ? "127.0.0.1:9" : null);
        upstreams = new Upstreams(config, () -> { }, name -> null);
        pool = PoolingHttpClientConnectionManagerBuilder.create().build();
        metrics = new ProxyMetrics(upstreams, pool, () -> 0, new LiveRoutes(config.initialRoutes(), Instant.now()), "test");
    }

    @AfterEach
    void stop() {
        metrics.close();
        upstreams.close();
        pool.close();
    }

    @Test
    void pastFiveHundredBackendNamesEveryFurtherOneIsOther() {
        for (int i = 0; i < 700; i++) {
            metrics.exchange("GET", "name-" + i, 200, null, 1_000_000, 0);
        }
        Set<String> labels = new TreeSet<>();
        Matcher m = Pattern.compile("^hostproxy_requests_total\\{backend=\"([^\"]*)\"", Pattern.MULTILINE)
                .matcher(metrics.scrape());
        while (m.find()) {
            labels.add(m.group(1));
        }
        assertEquals(ProxyMetrics.MAX_BACKENDS + 1, labels.size());
        assertTrue(labels.contains(ProxyMetrics.OTHER_BACKEND));
    }

    @Test
    void grpcCallsAreCountedByStatusNoneWithoutOneAndAnythingElseIsOther() {
        metrics.grpcCall("api", "0");
        metrics.grpcCall("api", "0");
        metrics.grpcCall("api", "14");
        metrics.grpcCall("api", "16");
        metrics.grpcCall("api", "17");
        metrics.grpcCall("api", "1; drop table");
        metrics.grpcCall("api", null);
        String scrape = metrics.scrape();
        assertTrue(scrape.contains("hostproxy_grpc_calls_total{backend=\"api\",grpc_status=\"0\"} 2.0"), scrape);
        assertTrue(scrape.contains("hostproxy_grpc_calls_total{backend=\"api\",grpc_status=\"14\"} 1.0"), scrape);
        assertTrue(scrape.contains("hostproxy_grpc_calls_total{backend=\"api\",grpc_status=\"16\"} 1.0"), scrape);
        assertTrue(scrape.contains("hostproxy_grpc_calls_total{backend=\"api\",grpc_status=\"other\"} 2.0"), scrape);
        assertTrue(scrape.contains("hostproxy_grpc_calls_total{backend=\"api\",grpc_status=\"none\"} 1.0"), scrape);
    }

    @Test
    void methodsOutsideTheStandardOnesAndOddStatusesShareOneValue() {
        assertEquals("other", ProxyMetrics.methodLabel("PROPFIND"));
        assertEquals("PATCH", ProxyMetrics.methodLabel("PATCH"));
        assertEquals("other", ProxyMetrics.methodLabel("get"));
        assertEquals("5xx", ProxyMetrics.statusClass(503));
        assertEquals("other", ProxyMetrics.statusClass(999));
        assertEquals(ProxyMetrics.NO_BACKEND, metrics.backendLabel(null));
    }
}
