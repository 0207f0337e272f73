package hostproxy.upstream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NioClient;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.config.ResolverConfigProvider;
import org.xbill.DNS.hosts.HostsFileParser;

/**
 * Resolves names with dnsjava, asking the configured servers directly: no JVM cache, no JVM-wide
 * property. The hosts file is read first, as the system resolver would; then A and AAAA are asked
 * for at once, and every address of both is kept.
 */
final class DnsNameResolver implements NameResolver {
    private static final Logger LOG = Logger.getLogger(DnsNameResolver.class.getName());

    private final Resolver resolver;
    private final List<Name> searchPath;
    private final HostsFileParser hosts;

    /**
     * @param servers the servers to ask; empty for the system's (with its search domains)
     * @param timeout the longest wait for one answer
     */
    DnsNameResolver(List<InetSocketAddress> servers, Duration timeout) {
        List<InetSocketAddress> chosen = servers;
        List<Name> search = List.of();
        if (chosen.isEmpty()) {
            ResolverConfig system = ResolverConfig.getCurrentConfig();
            List<InetSocketAddress> found = system.servers();
            chosen = found;
            search = system.searchPath(); // only with the system's servers: they belong together
            if (noneFound(ResolverConfig.getConfigProviders())) {
                LOG.warning(() -> "hostproxy: no DNS server of this system was found, so every lookup goes to "
                        + found + " and will most likely time out; set dnsServers to the servers to ask "
                        + "(e.g. HOSTPROXY_DNS_SERVERS=10.0.0.2; on Windows, Get-DnsClientServerAddress lists them)");
            }
        }
        List<Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress server : chosen) {
            resolvers.add(new SimpleResolver(server));
        }
        ExtendedResolver extended = new ExtendedResolver(resolvers);
        extended.setTimeout(timeout);
        extended.setRetries(1);
        this.resolver = extended;
        this.searchPath = search;
        this.hosts = hostsFile();
        String asked = chosen + (servers.isEmpty() ? " (the system's)" : "");
        LOG.info(() -> "hostproxy resolves names with DNS servers " + asked + ", search " + searchPath);
    }

    /**
     * Whether none of dnsjava's ways of finding the system's servers found one: it then asks
     * {@code 127.0.0.1:53} without a word. That happens on Windows without JNA, where only its JNDI
     * provider is left. A loopback server that is found (Docker's 127.0.0.11, systemd's 127.0.0.53,
     * a local dnsmasq in resolv.conf) is a real one and says nothing here.
     */
    static boolean noneFound(List<ResolverConfigProvider> providers) {
        return providers.stream().filter(ResolverConfigProvider::isEnabled).allMatch(p -> p.servers().isEmpty());
    }

    /** The same hosts file the JVM reads: {@code jdk.net.hosts.file} when set, else the platform's. */
    private static HostsFileParser hostsFile() {
        String jdkHostsFile = System.getProperty("jdk.net.hosts.file");
        return jdkHostsFile == null ? new HostsFileParser() : new HostsFileParser(Path.of(jdkHostsFile));
    }

    @Override
    public CompletionStage<Resolution> resolve(String name) {
        InetAddress literal = ipLiteral(name);
        if (literal != null) { // a route may name its backend by address: nothing to ask
            return CompletableFuture.completedFuture(new Resolution.Found(List.of(literal)));
        }
        Name absolute;
        try {
            absolute = Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(new Resolution.NotFound());
        }
        Optional<Resolution> fromHosts = fromHostsFile(absolute);
        if (fromHosts.isPresent()) {
            return CompletableFuture.completedFuture(fromHosts.get());
        }
        CompletionStage<Resolution> answer = query(absolute);
        for (Name domain : searchPath) {
            answer = answer.thenCompose(r -> r instanceof Resolution.NotFound ? queryIn(name, domain) : done(r));
        }
        return answer;
    }

    private static InetAddress ipLiteral(String name) {
        try {
            if (Address.isDottedQuad(name)) {
                return Address.getByAddress(name, Address.IPv4);
            }
            return name.indexOf(':') >= 0 ? Address.getByAddress(name, Address.IPv6) : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private CompletionStage<Resolution> queryIn(String name, Name domain) {
        try {
            return query(Name.fromString(name, domain));
        } catch (TextParseException e) {
            return done(new Resolution.NotFound());
        }
    }

    private static CompletionStage<Resolution> done(Resolution r) {
        return CompletableFuture.completedFuture(r);
    }

    private Optional<Resolution> fromHostsFile(Name name) {
        try {
            Set<InetAddress> found = new LinkedHashSet<>();
            hosts.getAddressForHost(name, Type.A).ifPresent(found::add);
            hosts.getAddressForHost(name, Type.AAAA).ifPresent(found::add);
            return found.isEmpty() ? Optional.empty() : Optional.of(new Resolution.Found(List.copyOf(found)));
        } catch (IOException e) {
            LOG.log(Level.FINE, "the hosts file could not be read", e);
            return Optional.empty();
        }
    }

    /** A and AAAA at once; addresses from either, NotFound only when both say so. */
    private CompletionStage<Resolution> query(Name name) {
        CompletableFuture<Resolution> a = ask(name, Type.A);
        CompletableFuture<Resolution> aaaa = ask(name, Type.AAAA);
        return a.thenCombine(aaaa, DnsNameResolver::combine);
    }

    private static Resolution combine(Resolution a, Resolution aaaa) {
        List<InetAddress> addresses = new ArrayList<>();
        if (a instanceof Resolution.Found f) {
            addresses.addAll(f.addresses());
        }
        if (aaaa instanceof Resolution.Found f) {
            addresses.addAll(f.addresses());
        }
        if (!addresses.isEmpty()) {
            return new Resolution.Found(List.copyOf(addresses));
        }
        if (a instanceof Resolution.Failed) {
            return a;
        }
        return aaaa instanceof Resolution.Failed ? aaaa : new Resolution.NotFound();
    }

    private CompletableFuture<Resolution> ask(Name name, int type) {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        return resolver.sendAsync(query).toCompletableFuture()
                .handle((response, failure) -> failure != null
                        ? new Resolution.Failed(describe(failure))
                        : interpret(response, type));
    }

    private static Resolution interpret(Message response, int type) {
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return new Resolution.NotFound();
        }
        if (rcode != Rcode.NOERROR) {
            return new Resolution.Failed("DNS answered " + Rcode.string(rcode));
        }
        List<InetAddress> addresses = new ArrayList<>();
        // CNAME chains arrive resolved in the answer section: keep every address record in it
        for (Record r : response.getSection(Section.ANSWER)) {
            if (type == Type.A && r instanceof ARecord a) {
                addresses.add(a.getAddress());
            } else if (type == Type.AAAA && r instanceof AAAARecord aaaa) {
                addresses.add(aaaa.getAddress());
            }
        }
        return addresses.isEmpty() ? new Resolution.NotFound() : new Resolution.Found(List.copyOf(addresses));
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /**
     * Stops dnsjava's I/O thread. It is static to dnsjava's classes, which are this web
     * application's own (WEB-INF/lib), so no other deployment is affected.
     */
    @Override
    public void close() {
        NioClient.close();
    }
}
