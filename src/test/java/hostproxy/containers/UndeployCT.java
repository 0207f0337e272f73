package hostproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An undeploy leaves nothing of hostproxy behind, on every container of the matrix. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class UndeployCT {
    private static final String PROXY = "proxy";

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = PROXY, managed = false, testable = false)
    static WebArchive deployment() {
        return ContainerSuite.rootWar();
    }

    @Test
    void anUndeployClosesEveryBackendConnectionAndStopsProxying() throws Exception {
        try (Backends backends = Backends.start()) {
            deployer.deploy(PROXY);
            boolean undeployed = false;
            try {
                for (String host : List.of("alpha", "beta", "gamma", "alpha", "beta")) {
                    try (RawClient c = new RawClient(ContainerSuite.port())) {
                        c.send("GET /keep HTTP/1.1\nHost: " + host, null);
                        assertEquals(200, c.read().status());
                    }
                }
                assertTrue(open(backends) > 0, "pooled keep-alive connections to the backends are open while deployed");

                deployer.undeploy(PROXY);
                undeployed = true;

                Await.until(() -> open(backends) == 0, Duration.ofSeconds(10),
                        "every backend connection is closed by the undeploy");
                int served = backends.alpha.requestCount();
                assertNotEquals(200, afterUndeploy(), "nothing is proxied once undeployed");
                assertThrows(IOException.class, () -> RawClient.exchange(ContainerSuite.ADMIN_PORT,
                        "GET /healthz HTTP/1.1\nHost: admin\nConnection: close"), "the admin port is closed");
                assertEquals(served, backends.alpha.requestCount());
            } finally {
                if (!undeployed) {
                    deployer.undeploy(PROXY);
                }
            }
        }
    }

    private static int open(Backends b) {
        return b.alpha.openConnections() + b.beta.openConnections() + b.gamma.openConnections();
    }

    /** The container's own answer once the application is gone (a 404), or -1 when it closes the connection. */
    private static int afterUndeploy() {
        try {
            RawResponse r = RawClient.exchange(ContainerSuite.port(), "GET / HTTP/1.1\nHost: alpha\nConnection: close");
            return r.status();
        } catch (IOException e) {
            return -1;
        }
    }
}
