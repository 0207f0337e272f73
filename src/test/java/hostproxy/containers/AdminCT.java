package hostproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The admin port on every container of the matrix: the JDK's HTTP server started by the
 * application (on WildFly, with the {@code jdk.httpserver} module the WAR asks for).
 */
class AdminCT extends ContainerScenario {
    @Test
    void healthReadinessMetricsAndStatusPageAnswerOnTheAdminPort() throws Exception {
        RawResponse proxied = RawClient.exchange(ContainerSuite.port(), "GET /counted HTTP/1.1\nHost: alpha\nConnection: close");
        assertEquals(200, proxied.status());
        assertEquals("ok\n", ContainerSuite.admin("/healthz").text());
        RawResponse ready = ContainerSuite.admin("/readyz");
        assertEquals(200, ready.status(), ready.text());
        String metrics = ContainerSuite.admin("/metrics").text();
        assertTrue(metrics.contains("hostproxy_requests_total{backend=\"alpha\",method=\"GET\",status_class=\"2xx\"}"),
                metrics);
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "the JVM binders work here too");
        assertTrue(ContainerSuite.admin("/").text().contains("127.0.0.11"), "the status page lists alpha's address");
    }

    @Test
    void onThePublicPortTheAdminPathsAreProxied() throws Exception {
        for (String path : new String[] {"/healthz", "/metrics", "/"}) {
            RawResponse r = RawClient.exchange(ContainerSuite.port(), "GET " + path + " HTTP/1.1\nHost: beta\nConnection: close");
            assertEquals(200, r.status(), path);
            assertEquals("beta", r.header("X-Backend"), path);
        }
    }
}
