package hostproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.config.ProxyConfig;
import hostproxy.config.Setting;
import hostproxy.it.support.Await;
import hostproxy.it.support.ProxyServer;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code backendNetworks} applied to DNS answers, with a scripted resolver: refused addresses are
 * dropped as if DNS had not given them, after every lookup, for names the template built only.
 */
class AddressGuardTest {
    private final Map<String, Resolution> answers = new ConcurrentHashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();
    private final AtomicInteger idleCloses = new AtomicInteger();
    private ProxyServer.LogCapture log;
    private Upstreams upstreams;

    private final NameResolver scripted = new NameResolver() {
        @Override
        public CompletionStage<Resolution> resolve(String name) {
            lookups.incrementAndGet();
            return CompletableFuture.completedFuture(answers.getOrDefault(name, new Resolution.NotFound()));
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        log = ProxyServer.LogCapture.install();
    }

    @AfterEach
    void close() {
        log.close();
        if (upstreams != null) {
            upstreams.close();
        }
    }

    private Upstreams upstreams(String... settings) {
        Map<Setting, String> s = new HashMap<>(Map.of(Setting.DNS_REFRESH, "10m"));
        for (int i = 0; i < settings.length; i += 2) {
            String key = settings[i];
            s.put(java.util.Arrays.stream(Setting.values()).filter(x -> x.key().equals(key)).findFirst().orElseThrow(),
                    settings[i + 1]);
        }
        upstreams = new Upstreams(scripted, ProxyConfig.from(s::get), idleCloses::incrementAndGet);
        return upstreams;
    }

    private static Resolution found(InetAddress... addresses) {
        return new Resolution.Found(List.of(addresses));
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    private static List<String> addresses(Backend b) {
        return b.endpoints().stream().map(e -> e.address().getHostAddress()).toList();
    }

    /** What the backends logged at WARNING. */
    private List<String> warnings() {
        return log.texts(Backend.class.getName(), Level.WARNING);
    }

    @Test
    void aNameResolvingOnlyToLoopbackIsRefusedNamingTheAddressItsRangeAndTheSetting() throws Exception {
        answers.put("web", found(ip("127.0.0.1")));
        Upstreams u = upstreams();
        AddressNotAllowedException e = assertThrows(AddressNotAllowedException.class, () -> u.backend("web"));
        assertEquals("backend web resolves only to 127.0.0.1 (loopback), which backendNetworks does not allow",
                e.getMessage());
        assertEquals(List.of("backend web resolves only to 127.0.0.1 (loopback), which backendNetworks does not allow: "
                + "requests for it get 502 until DNS gives it another address"), warnings());
        assertThrows(AddressNotAllowedException.class, () -> u.backend("web"));
        assertEquals(1, warnings().size(), "logged once per name, not per request");
    }

    @Test
    void everyRefusedAddressIsNamedWithItsRange() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 9;
        answers.put("meta", found(ip("169.254.169.254"), ip("fe80::1"), Inet6Address.getByAddress(null, mapped, null),
                ip("::1"), ip("0.0.0.0")));
        Upstreams u = upstreams();
        AddressNotAllowedException e = assertThrows(AddressNotAllowedException.class, () -> u.backend("meta"));
        assertEquals("backend meta resolves only to 169.254.169.254 (link-local), fe80:0:0:0:0:0:0:1 (link-local), "
                + "0:0:0:0:0:ffff:7f00:9 (loopback), 0:0:0:0:0:0:0:1 (loopback), 0.0.0.0 (unspecified), "
                + "which backendNetworks does not allow", e.getMessage());
    }

    @Test
    void anExplicitListIsNamedInTheReason() throws Exception {
        answers.put("web", found(ip("192.168.1.5")));
        Upstreams u = upstreams("backendNetworks", "10.0.0.0/8");
        AddressNotAllowedException e = assertThrows(AddressNotAllowedException.class, () -> u.backend("web"));
        assertEquals("backend web resolves only to 192.168.1.5, which backendNetworks (10.0.0.0/8) does not allow",
                e.getMessage());
    }

    @Test
    void refusedAddressesAreDroppedAndTheOthersServe() throws Exception {
        answers.put("web", found(ip("127.0.0.1"), ip("10.0.0.1"), ip("169.254.169.254")));
        Upstreams u = upstreams();
        Backend web = u.backend("web");
        assertEquals(List.of("10.0.0.1"), addresses(web));
        BackendStatus status = u.snapshot().get(0);
        assertEquals(List.of("10.0.0.1 healthy", "127.0.0.1 refused", "169.254.169.254 refused"),
                status.addresses().stream().map(a -> a.address() + " " + a.state()).toList());
        assertEquals("not allowed by backendNetworks: loopback", status.addresses().get(1).detail());
        assertEquals("1 address, 2 refused by backendNetworks", status.lastLookupResult());
        assertEquals(List.of("backend web: DNS also gives 127.0.0.1 (loopback), 169.254.169.254 (link-local), which "
                + "backendNetworks does not allow: only its other addresses are used"), warnings());
    }

    @Test
    void aNameThatMovesToARefusedAddressIsRefusedAfterTheLookup() throws Exception {
        answers.put("web", found(ip("10.0.0.1")));
        Upstreams u = upstreams();
        Backend web = u.backend("web");
        answers.put("web", found(ip("127.0.0.1")));
        u.refreshNow(web);
        assertEquals(List.of(), addresses(web));
        assertEquals(1, idleCloses.get(), "the departed address's idle connections are closed");
        assertThrows(AddressNotAllowedException.class, () -> u.backend("web"));
        assertEquals(1, warnings().size(), warnings().toString());
    }

    @Test
    void theRefusalIsLoggedAgainOnlyWhenItChanges() throws Exception {
        answers.put("web", found(ip("127.0.0.1"), ip("127.0.0.2")));
        Upstreams u = upstreams("dnsRefresh", "50ms");
        assertThrows(AddressNotAllowedException.class, () -> u.backend("web"));
        answers.put("web", found(ip("127.0.0.2"), ip("127.0.0.1"))); // a DNS server rotating its records
        int before = lookups.get();
        Await.until(() -> lookups.get() >= before + 3, java.time.Duration.ofSeconds(5), "three refreshes");
        assertEquals(1, warnings().size(), "the same addresses in another order are no change: " + warnings());
        answers.put("web", found(ip("127.0.0.3")));
        Await.until(() -> warnings().size() == 2, java.time.Duration.ofSeconds(5), "the change is logged");
        int changed = lookups.get();
        Await.until(() -> lookups.get() >= changed + 3, java.time.Duration.ofSeconds(5), "three more refreshes");
        assertEquals(2, warnings().size(), warnings().toString());
    }

    @Test
    void aNameThatARouteTargetsIsNotChecked() throws Exception {
        answers.put("local", found(ip("127.0.0.1")));
        Upstreams u = upstreams("routes", "app=http://local:9000");
        assertEquals(List.of("127.0.0.1"), addresses(u.backend("local")));
        assertEquals(List.of(), warnings());
    }

    @Test
    void aRoutesFileLineWithATargetOfDashIsChecked(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("routes"), "web  -  responseTimeout=5m\n");
        answers.put("web", found(ip("127.0.0.1")));
        Upstreams u = upstreams("routesFile", file.toString());
        assertThrows(AddressNotAllowedException.class, () -> u.backend("web"));
    }

    @Test
    void aStarAllowsEverything() throws Exception {
        answers.put("web", found(ip("127.0.0.1"), ip("169.254.169.254")));
        Upstreams u = upstreams("backendNetworks", "*");
        assertEquals(List.of("127.0.0.1", "169.254.169.254"), addresses(u.backend("web")));
    }

    @Test
    void aNameBackAtAnAllowedAddressServesAgain() throws Exception {
        answers.put("web", found(ip("127.0.0.1")));
        Upstreams u = upstreams("backendNetworks", "10.0.0.0/8", "dnsRefresh", "50ms");
        assertThrows(AddressNotAllowedException.class, () -> u.backend("web"));
        answers.put("web", found(ip("10.0.0.7")));
        Await.until(() -> !u.snapshot().get(0).addresses().get(0).state().equals(BackendStatus.REFUSED),
                java.time.Duration.ofSeconds(5), "a refresh");
        assertEquals(List.of("10.0.0.7"), addresses(u.backend("web")));
    }
}
