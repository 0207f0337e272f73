package hostproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.config.Balancing;
import hostproxy.config.BackendProtocol;
import hostproxy.it.support.Await;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the health checker keeps of the addresses it checked, with real checks to loopback addresses. */
class HealthCheckerTest {
    /**
     * Containers replaced all day give a name a new address each time: once an address is gone, its
     * route must leave the checker's connection pools, or they grow by one per address ever checked.
     */
    @ParameterizedTest
    @EnumSource(BackendProtocol.class)
    void theRoutesOfDepartedAddressesLeaveThePools(BackendProtocol protocol) throws Exception {
        int addresses = 20;
        // nothing listens on port 9: each check fails at once, after taking a route in the pool;
        // the interval is long, so each address is checked once, when it appears
        HealthCheck check = new HealthCheck("http", 9, "/health", protocol);
        try (HealthChecker checker = new HealthChecker(Duration.ofMinutes(10), Duration.ofSeconds(2), 1, 1)) {
            Backend svc = new Backend("svc", Balancer.of(Balancing.ROUND_ROBIN), check, System.nanoTime());
            for (int i = 0; i < addresses; i++) {
                long before = checker.failed() + checker.passed();
                // the container was replaced: its name has one address, a new one
                svc.apply(new Resolution.Found(List.of(InetAddress.getByName("127.0.0." + (21 + i)))), System.nanoTime(), 0);
                checker.sync(svc);
                Await.until(() -> checker.failed() + checker.passed() > before, Duration.ofSeconds(10),
                        "address " + (i + 1) + " is checked");
            }
            int routes = checker.pooledRoutes();
            assertTrue(routes <= 1, addresses + " addresses checked, one after the other: the pools keep "
                    + routes + " routes (at most the last address's may stay)");
        }
    }
}
