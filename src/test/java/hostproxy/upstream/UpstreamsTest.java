package hostproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.config.BackendProtocol;
import hostproxy.config.ProxyConfig;
import hostproxy.config.Setting;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The address book's rules, with a scripted resolver instead of DNS (DnsIT covers the real one). */
class UpstreamsTest {
    private final Map<String, Resolution> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
    private final AtomicInteger idleCloses = new AtomicInteger();
    private Upstreams upstreams;

    private final NameResolver scripted = new NameResolver() {
        @Override
        public CompletionStage<Resolution> resolve(String name) {
            lookups.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            return CompletableFuture.completedFuture(answers.getOrDefault(name, new Resolution.NotFound()));
        }

        @Override
        public void close() {
        }
    };

    private Upstreams upstreams(String refresh) {
        // the health checks of these tests may only ever knock on loopback addresses
        ProxyConfig config = ProxyConfig.from(new HashMap<>(Map.of(Setting.DNS_REFRESH, refresh,
                Setting.BACKEND_NETWORKS, "public-and-private, 127.0.0.0/8"))::get);
        upstreams = new Upstreams(scripted, config, idleCloses::incrementAndGet);
        return upstreams;
    }

    @AfterEach
    void close() {
        if (upstreams != null) {
            upstreams.close();
        }
    }

    private static Resolution found(String... addresses) throws UnknownHostException {
        InetAddress[] a = new InetAddress[addresses.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = InetAddress.getByName(addresses[i]);
        }
        return new Resolution.Found(List.of(a));
    }

    @Test
    void anUnknownNameIsRememberedBrieflyThenForgotten() throws Exception {
        Upstreams u = upstreams("200ms");
        for (int i = 0; i < 5; i++) {
            assertThrows(UnknownHostException.class, () -> u.backend("nosuch"));
        }
        assertEquals(1, lookups.get("nosuch").get(), "one lookup for five requests within a second");
        assertEquals(List.of("nosuch: not in DNS"), u.status());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!u.status().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), u.status(), "forgotten once its negative answer expired");
    }

    @Test
    void addressesStillInDnsKeepTheirStateAndDepartedOnesCloseIdleConnections() throws Exception {
        answers.put("api", found("10.0.0.1", "10.0.0.2"));
        Upstreams u = upstreams("10m");
        Backend api = u.backend("api");
        Endpoint first = api.endpoints().get(0);
        answers.put("api", found("10.0.0.1", "10.0.0.3"));
        assertTrue(u.refreshNow(api), "a new address appeared");
        assertSame(first, api.endpoints().get(0), "10.0.0.1 is the same endpoint, health and all");
        assertEquals(1, idleCloses.get(), "10.0.0.2 left: idle connections are closed");
    }

    /** A name whose every address is refused stays refused, for that reason, when its health check changes. */
    @Test
    void aHealthCheckChangeKeepsRefusedAddressesRefused() throws Exception {
        answers.put("local", found("127.0.0.1"));
        upstreams = new Upstreams(scripted, ProxyConfig.from(new HashMap<>(Map.of(Setting.DNS_REFRESH, "10m"))::get),
                idleCloses::incrementAndGet);
        assertThrows(AddressNotAllowedException.class, () -> upstreams.backend("local"));
        upstreams.routesChanged(name -> new HealthCheck("http", 9, "/health", BackendProtocol.HTTP_1_1), List.of());
        AddressNotAllowedException e = assertThrows(AddressNotAllowedException.class, () -> upstreams.backend("local"));
        assertTrue(e.getMessage().contains("backendNetworks"), e.getMessage());
        assertEquals(1, lookups.get("local").get(), "the addresses were known: no lookup");
    }

    /**
     * The routes file is live: a host that a route now targets is the operator's choice, its
     * loopback address allowed from the next request on; when no route names it any more, it is
     * guarded again. A backend an exchange holds keeps what it had.
     */
    @Test
    void theAddressGuardFollowsTheRoutesInForce() throws Exception {
        answers.put("local", found("127.0.0.1"));
        upstreams = new Upstreams(scripted, ProxyConfig.from(new HashMap<>(Map.of(Setting.DNS_REFRESH, "10m"))::get),
                idleCloses::incrementAndGet);
        assertThrows(AddressNotAllowedException.class, () -> upstreams.backend("local"), "loopback: refused by default");

        upstreams.routesChanged(name -> null, List.of(new hostproxy.config.BackendTarget("http", "local", 5000, "")));
        Backend routed = upstreams.backend("local");
        assertEquals(List.of("127.0.0.1"), routed.endpoints().stream().map(e -> e.address().getHostAddress()).toList());

        upstreams.routesChanged(name -> null, List.of());
        assertThrows(AddressNotAllowedException.class, () -> upstreams.backend("local"), "no route names it any more");
        assertEquals(1, routed.endpoints().size(), "the one an exchange holds keeps its address");
    }

    /**
     * The route table changed a name's health check: the name is replaced by one with the same
     * addresses, checked as it now says; an exchange holding the old one keeps it; other names stay
     * as they were.
     */
    @Test
    void aNameWhoseHealthCheckChangesIsReplacedWithItsAddressesAndOtherNamesAreKept() throws Exception {
        answers.put("svc", found("127.0.0.1"));
        answers.put("other", found("10.0.0.2"));
        Upstreams u = upstreams("10m");
        Backend svc = u.backend("svc");
        Backend other = u.backend("other");
        HealthCheck check = new HealthCheck("http", 9, "/health", BackendProtocol.HTTP_1_1); // nothing listens on port 9: never ready
        u.routesChanged(name -> name.equals("svc") ? check : null, java.util.List.of());
        assertSame(other, u.backend("other"), "its check did not change");
        BackendStatus checked = u.snapshot().stream().filter(b -> b.name().equals("svc")).findFirst().orElseThrow();
        assertEquals(List.of("127.0.0.1"), checked.addresses().stream().map(BackendStatus.Address::address).toList());
        assertFalse(checked.addresses().get(0).up(), "checked from now: no traffic before a check passed");
        assertTrue(svc.endpoints().get(0).isReady(), "the one an exchange holds is unchanged");
        assertEquals(1, lookups.get("svc").get(), "no lookup: the addresses were known");

        u.routesChanged(name -> null, java.util.List.of());
        Backend unchecked = u.backend("svc");
        assertTrue(unchecked != svc && unchecked.healthCheck() == null, "replaced again");
        assertTrue(unchecked.endpoints().get(0).isReady());
    }

    @Test
    void aDownAddressIsSkippedAndWhenAllAreDownTheOneDownLongestIsTried() throws Exception {
        answers.put("api", found("10.0.0.1", "10.0.0.2"));
        Upstreams u = upstreams("10m");
        Backend api = u.backend("api");
        Endpoint a = api.endpoints().get(0);
        Endpoint b = api.endpoints().get(1);
        u.connectFailed(api, a, "refused");
        for (int i = 0; i < 10; i++) {
            assertSame(b, api.pick(Set.of(), System.nanoTime()));
        }
        u.connectFailed(api, b, "refused");
        assertSame(a, api.pick(Set.of(), System.nanoTime()), "both down: the one down longest");
        assertSame(b, api.pick(Set.of(a), System.nanoTime()));
        assertNull(api.pick(Set.of(a, b), System.nanoTime()), "every address tried");
        u.succeeded(api, a);
        assertSame(a, api.pick(Set.of(), System.nanoTime()), "a success brings it back");
    }

    @Test
    void theBackOffDoublesUpToThirtySeconds() throws Exception {
        Endpoint e = new Endpoint(InetAddress.getByName("10.0.0.1"));
        long now = 0;
        long[] expected = {1, 2, 4, 8, 16, 30, 30};
        for (long seconds : expected) {
            e.connectFailed(now, "refused");
            assertFalse(e.isUp(now + seconds * 1_000_000_000L - 1));
            assertTrue(e.isUp(now + seconds * 1_000_000_000L));
        }
    }

    @Test
    void roundRobinVisitsEveryAddressInTurn() throws Exception {
        answers.put("api", found("10.0.0.1", "10.0.0.2", "10.0.0.3"));
        Backend api = upstreams("10m").backend("api");
        Set<Endpoint> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            seen.add(api.pick(Set.of(), System.nanoTime()));
        }
        assertEquals(3, seen.size());
    }

    @Test
    void leastRequestsPrefersTheLessBusyOfTwo() throws Exception {
        List<Endpoint> two = List.of(new Endpoint(InetAddress.getByName("10.0.0.1")),
                new Endpoint(InetAddress.getByName("10.0.0.2")));
        two.get(0).begin();
        Balancer p2c = Balancer.of(hostproxy.config.Balancing.LEAST_REQUESTS);
        for (int i = 0; i < 20; i++) {
            assertSame(two.get(1), p2c.pick(two, new AtomicInteger()));
        }
    }

    @Test
    void whenDnsFailsTheLastKnownAddressesStay() throws Exception {
        answers.put("api", found("10.0.0.1"));
        Upstreams u = upstreams("10m");
        Backend api = u.backend("api");
        answers.put("api", new Resolution.Failed("timeout"));
        assertFalse(u.refreshNow(api));
        assertEquals(1, api.endpoints().size());
        assertSame(api, u.backend("api"));
    }

    /** The status page's word: the end of a back-off lets one request try the address, it does not heal it. */
    @Test
    void anAddressStaysFailingAfterItsBackOffUntilAConnectSucceeds() throws Exception {
        Endpoint e = new Endpoint(InetAddress.getByName("10.0.0.3"));
        long now = System.nanoTime();
        assertEquals("healthy", e.state());
        e.connectFailed(now, "Connection refused");
        assertEquals("failing", e.state());
        // the clock is an argument: just before and at the end of the first back-off
        long backOffOver = now + Endpoint.FIRST_BACKOFF.toNanos();
        assertFalse(e.isUp(backOffOver - 1), "not tried during its back-off");
        assertTrue(e.isUp(backOffOver), "tried again once its back-off is over");
        assertEquals("failing", e.state(), "but still failing until a connect succeeds");
        assertEquals("Connection refused", e.lastFailure());
        e.succeeded();
        assertEquals("healthy", e.state());
        assertEquals(null, e.lastFailure());
    }

    @Test
    void readinessFromHealthChecksNewThenReadyThenEjectedAfterFallThenBackAfterRise() throws Exception {
        Endpoint e = new Endpoint(InetAddress.getByName("10.0.0.1"), true);
        int fall = 3;
        int rise = 2;
        assertEquals(Endpoint.Readiness.NOT_READY, e.readiness(), "checked addresses start not ready");
        assertEquals(null, e.checked(false, "503", fall, rise), "a new address that fails stays not ready");
        assertEquals(Endpoint.Readiness.NOT_READY, e.checked(true, "200", fall, rise), "one pass makes a new address ready");
        assertTrue(e.isReady());
        e.checked(false, "503", fall, rise);
        e.checked(false, "503", fall, rise);
        assertTrue(e.isReady(), "fewer than healthCheckFall failures in a row keep it");
        assertEquals(Endpoint.Readiness.READY, e.checked(false, "503", fall, rise));
        assertEquals(Endpoint.Readiness.EJECTED, e.readiness());
        assertEquals("ejected", e.state());
        e.checked(true, "200", fall, rise);
        assertFalse(e.isReady(), "one pass is not healthCheckRise (2)");
        e.checked(false, "503", fall, rise);
        e.checked(true, "200", fall, rise);
        assertFalse(e.isReady(), "the passes must be in a row");
        assertEquals(Endpoint.Readiness.EJECTED, e.checked(true, "200", fall, rise));
        assertTrue(e.isReady());
        assertTrue(new Endpoint(InetAddress.getByName("10.0.0.2")).isReady(), "unchecked addresses are ready at once");
    }

    @Test
    void anAddressThatIsNotReadyIsNeverPickedNotEvenAsTheLastResort() throws Exception {
        Backend api = new Backend("api", Balancer.of(hostproxy.config.Balancing.ROUND_ROBIN),
                new HealthCheck("http", 8080, "/health", BackendProtocol.HTTP_1_1), System.nanoTime());
        api.apply(found("10.0.0.1", "10.0.0.2"), System.nanoTime(), 0);
        assertNull(api.pick(Set.of(), System.nanoTime()), "no address passed a check yet");
        Endpoint second = api.endpoints().get(1);
        second.checked(true, "200", 3, 2);
        for (int i = 0; i < 5; i++) {
            assertSame(second, api.pick(Set.of(), System.nanoTime()));
        }
        assertTrue(api.awaitReady(1_000_000), "an address is ready: no wait");
    }
}
