package hostproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.ProxyServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.config.ResolverConfigProvider;

/**
 * Where dnsjava finds no DNS server of the system (Windows without JNA), it asks 127.0.0.1:53
 * silently; hostproxy says so once, naming {@code dnsServers}. A loopback server that was found is
 * real (Docker's 127.0.0.11, systemd's 127.0.0.53) and gets no warning.
 */
class SystemDnsTest {
    /** A provider as dnsjava's own are once initialized: the servers it found. */
    private record Found(List<InetSocketAddress> servers, boolean isEnabled) implements ResolverConfigProvider {
        @Override
        public void initialize() {
        }

        @Override
        public List<Name> searchPaths() {
            return List.of();
        }
    }

    private static final Found NOTHING = new Found(List.of(), true);
    private static final Found DOCKER = new Found(List.of(new InetSocketAddress("127.0.0.11", 53)), true);

    @Test
    void noServerFoundByAnyEnabledProviderIsNoneFound() {
        assertTrue(DnsNameResolver.noneFound(List.of()));
        assertTrue(DnsNameResolver.noneFound(List.of(NOTHING, NOTHING)));
        assertTrue(DnsNameResolver.noneFound(List.of(NOTHING, new Found(DOCKER.servers(), false))),
                "a disabled provider's servers are not used");
        assertFalse(DnsNameResolver.noneFound(List.of(NOTHING, DOCKER)));
    }

    @Test
    void theFallbackIsOneWarningNamingTheSetting() throws Exception {
        List<String> warnings = warningsWhileResolvingWith(NOTHING);
        assertEquals(1, warnings.size(), warnings.toString());
        String text = warnings.get(0);
        assertTrue(text.contains("no DNS server of this system was found"), text);
        assertTrue(text.contains("127.0.0.1:53") || text.contains("0:0:0:0:0:0:0:1:53"), text);
        assertTrue(text.contains("set dnsServers"), text);
    }

    @Test
    void aLoopbackServerThatWasFoundIsNoCauseForWarning() throws Exception {
        assertEquals(List.of(), warningsWhileResolvingWith(DOCKER));
    }

    @Test
    void configuredServersAreNoCauseForWarning() throws Exception {
        assertEquals(List.of(), warnings(() -> new DnsNameResolver(
                List.of(new InetSocketAddress("127.0.0.1", 5353)), Duration.ofSeconds(1)).close()));
    }

    /** dnsjava's system configuration is static: replaced for the test, and put back. */
    private static List<String> warningsWhileResolvingWith(ResolverConfigProvider provider) throws Exception {
        List<ResolverConfigProvider> before = ResolverConfig.getConfigProviders();
        ResolverConfig.setConfigProviders(List.of(provider));
        ResolverConfig.refresh();
        try {
            return warnings(() -> new DnsNameResolver(List.of(), Duration.ofSeconds(1)).close());
        } finally {
            ResolverConfig.setConfigProviders(before);
            ResolverConfig.refresh();
        }
    }

    private static List<String> warnings(Runnable action) {
        ProxyServer.LogCapture log = ProxyServer.LogCapture.install();
        try {
            action.run();
            return log.texts(DnsNameResolver.class.getName(), Level.WARNING);
        } finally {
            log.close();
        }
    }
}
