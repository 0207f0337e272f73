package hostproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.KeepAliveClient;
import hostproxy.it.support.ProxyServer;
import hostproxy.it.support.RawResponse;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * End to end with dnsmasq as the DNS server, the way Docker's embedded DNS behaves: TTL 600, and a
 * hosts directory it re-reads by itself when a file changes (as a container is replaced). Runs
 * where dnsmasq is installed ({@code .ci/run} installs Debian's dnsmasq-base); skipped elsewhere.
 */
class DnsmasqIT {
    private static final Path DNSMASQ = Path.of("/usr/sbin/dnsmasq");

    @Test
    void followsDnsmasqAsItsRecordsChangeAndOutlivesIt() throws Exception {
        assumeTrue(Files.isExecutable(DNSMASQ), "dnsmasq is not installed (apt-get install dnsmasq-base)");
        Path work = Files.createTempDirectory("hostproxy-dnsmasq");
        Path hostsDir = Files.createDirectory(work.resolve("hosts.d")); // dnsmasq reads every file in it
        Path hosts = hostsDir.resolve("backends");
        Files.writeString(hosts, "127.0.0.11 dm-svc\n127.0.0.12 dm-svc\n");
        Dnsmasq dns = startDnsmasq(hostsDir, work.resolve("dnsmasq.log"));
        Process dnsmasq = dns.process();
        try (Backends backends = Backends.start();
             ProxyServer proxy = ProxyServer.start(Map.of("backendPort", Integer.toString(Backends.PORT),
                     "dnsServers", "127.0.0.1:" + dns.port(), "dnsRefresh", "1s", "dnsTimeout", "500ms"));
             KeepAliveClient client = new KeepAliveClient(proxy.port())) {
            Await.until(() -> answeredBy(client).equals(Set.of("alpha", "beta")), Duration.ofSeconds(10),
                    "both addresses dnsmasq serves get requests");

            Files.writeString(hosts, "127.0.0.13 dm-svc\n"); // the service moved
            Await.until(() -> answeredBy(client).equals(Set.of("gamma")), Duration.ofSeconds(6),
                    "requests follow the changed record despite its TTL of 600 s");

            stop(dnsmasq);
            Await.until(() -> proxy.log().messages(java.util.logging.Level.WARNING).stream()
                    .anyMatch(m -> m.contains("DNS lookup for backend dm-svc failed")), Duration.ofSeconds(10),
                    "a refresh met the stopped DNS server");
            assertEquals(Set.of("gamma"), answeredBy(client), "the last known address is still used");
        } finally {
            stop(dnsmasq);
        }
    }

    /** SIGTERM, and SIGKILL if dnsmasq has not gone within 5 s: a test never leaves it running. */
    private static void stop(Process dnsmasq) throws InterruptedException {
        dnsmasq.destroy();
        if (!dnsmasq.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            dnsmasq.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The backends that answered 6 requests for the name (any failure counts as "failed"). */
    private static Set<String> answeredBy(KeepAliveClient client) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            try {
                RawResponse r = client.send("GET /dm HTTP/1.1\nHost: dm-svc.example.com");
                seen.merge(r.status() == 200 ? r.header("X-Backend") : "failed " + r.status(), 1, Integer::sum);
            } catch (IOException e) {
                seen.merge("failed " + e, 1, Integer::sum);
            }
        }
        return seen.keySet();
    }

    /**
     * Starts dnsmasq on a port free for UDP and TCP alike, outside the ephemeral range (where the
     * suite's own client sockets could hold it), trying another port when dnsmasq cannot bind.
     */
    private static Dnsmasq startDnsmasq(Path hostsDir, Path log) throws Exception {
        for (int attempt = 0; attempt < 10; attempt++) {
            int port = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(10_000);
            if (!freeForUdpAndTcp(port)) {
                continue;
            }
            Process dnsmasq = new ProcessBuilder(DNSMASQ.toString(), "--no-daemon", "--port=" + port,
                    "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                    "--hostsdir=" + hostsDir, "--local-ttl=600", "--user=root")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!dnsmasq.waitFor(1, java.util.concurrent.TimeUnit.SECONDS)) {
                return new Dnsmasq(dnsmasq, port); // still running after a second: it is listening
            }
        }
        throw new IOException("dnsmasq could not be started: see " + log);
    }

    private record Dnsmasq(Process process, int port) {
    }

    private static boolean freeForUdpAndTcp(int port) {
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
             java.net.ServerSocket tcp = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
