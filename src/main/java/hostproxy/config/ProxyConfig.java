package hostproxy.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * hostproxy's configuration: immutable, parsed and validated once when the application starts.
 * Build it with {@link #from(Function)} from a lookup that returns a setting's raw value, or
 * {@code null} when the setting is not given.
 *
 * <p>Only the routes file may change while the proxy runs: {@link #initialRoutes()} is the table
 * read at start, and {@link LiveRoutes} holds the one in force.
 *
 * @param backendScheme   {@code http} or {@code https}, for backends built from the template
 * @param backendProtocol the HTTP version spoken to them ({@code backendScheme} {@code h2c} or {@code h2}: HTTP/2)
 * @param routes          the {@code routes} setting alone (the routes file's targets are in the tables)
 * @param routesFileCheck how often the routes file is read again; {@link Duration#ZERO}: never
 * @param initialRoutes   the routes as read at start
 */
public record ProxyConfig(
        String backendScheme,
        BackendProtocol backendProtocol,
        String backendHost,
        int backendPort,
        Map<String, BackendTarget> routes,
        List<String> allowedBackends,
        BackendNetworks backendNetworks,
        boolean preserveHost,
        Duration connectTimeout,
        Duration responseTimeout,
        int maxConnectionsPerBackend,
        int maxConnections,
        Duration clientIdleTimeout,
        int maxExchanges,
        List<InetSocketAddress> dnsServers,
        Duration dnsRefresh,
        Duration dnsTimeout,
        Balancing balancer,
        List<Cidr> trustedProxies,
        List<Cidr> allowedClients,
        long maxBodySize,
        StickyMode sticky,
        String stickyCookie,
        Secret stickySecret,
        boolean rewriteRedirects,
        String errorPages,
        String routesFile,
        Duration routesFileCheck,
        RouteTable initialRoutes,
        int adminPort,
        InetAddress adminAddress,
        String healthCheckPath,
        Duration healthCheckInterval,
        Duration healthCheckTimeout,
        int healthCheckFall,
        int healthCheckRise,
        Duration drainTimeout,
        List<String> upgradeProtocols,
        Duration upgradeIdleTimeout,
        int maxTunnels) {

    /** The defaults of every setting. */
    public static ProxyConfig defaults() {
        return from(s -> null);
    }

    /**
     * Parses every setting, using its default where {@code rawValues} gives none.
     *
     * @throws InvalidSettingException naming the first setting whose value cannot be used
     */
    public static ProxyConfig from(Function<Setting, String> rawValues) {
        Map<Setting, String> v = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String raw = rawValues.apply(s);
            v.put(s, raw == null ? s.defaultValue() : raw.trim());
        }
        int perBackend = Values.integer(Setting.MAX_CONNECTIONS_PER_BACKEND,
                v.get(Setting.MAX_CONNECTIONS_PER_BACKEND), 1, 100_000);
        int total = Values.integer(Setting.MAX_CONNECTIONS, v.get(Setting.MAX_CONNECTIONS), 1, 100_000);
        if (total < perBackend) {
            throw new InvalidSettingException(Setting.MAX_CONNECTIONS, v.get(Setting.MAX_CONNECTIONS),
                    "must be at least maxConnectionsPerBackend (" + perBackend + ")");
        }
        Map<String, BackendTarget> routes = Values.routes(Setting.ROUTES, v.get(Setting.ROUTES));
        String routesFile = v.get(Setting.ROUTES_FILE);
        RouteTable initialRoutes = RouteTable.of(routes, routesFile, RoutesFile.read(routesFile));
        BackendProtocol.Scheme backendScheme = Values.scheme(Setting.BACKEND_SCHEME, v.get(Setting.BACKEND_SCHEME));
        return new ProxyConfig(
                backendScheme.scheme(),
                backendScheme.protocol(),
                Values.hostTemplate(Setting.BACKEND_HOST, v.get(Setting.BACKEND_HOST)),
                Values.integer(Setting.BACKEND_PORT, v.get(Setting.BACKEND_PORT), 1, 65535),
                routes,
                Values.globs(Setting.ALLOWED_BACKENDS, v.get(Setting.ALLOWED_BACKENDS)),
                BackendNetworks.parse(Setting.BACKEND_NETWORKS, v.get(Setting.BACKEND_NETWORKS)),
                Values.bool(Setting.PRESERVE_HOST, v.get(Setting.PRESERVE_HOST)),
                Values.duration(Setting.CONNECT_TIMEOUT, v.get(Setting.CONNECT_TIMEOUT)),
                Values.duration(Setting.RESPONSE_TIMEOUT, v.get(Setting.RESPONSE_TIMEOUT)),
                perBackend,
                total,
                Values.duration(Setting.CLIENT_IDLE_TIMEOUT, v.get(Setting.CLIENT_IDLE_TIMEOUT)),
                Values.integer(Setting.MAX_EXCHANGES, v.get(Setting.MAX_EXCHANGES), 1, 1_000_000),
                Values.dnsServers(Setting.DNS_SERVERS, v.get(Setting.DNS_SERVERS)),
                Values.duration(Setting.DNS_REFRESH, v.get(Setting.DNS_REFRESH)),
                Values.duration(Setting.DNS_TIMEOUT, v.get(Setting.DNS_TIMEOUT)),
                Values.balancing(Setting.BALANCER, v.get(Setting.BALANCER)),
                Values.cidrs(Setting.TRUSTED_PROXIES, v.get(Setting.TRUSTED_PROXIES)),
                Values.cidrs(Setting.ALLOWED_CLIENTS, v.get(Setting.ALLOWED_CLIENTS)),
                Values.size(Setting.MAX_BODY_SIZE, v.get(Setting.MAX_BODY_SIZE)),
                Values.sticky(Setting.STICKY, v.get(Setting.STICKY)),
                Values.cookieName(Setting.STICKY_COOKIE, v.get(Setting.STICKY_COOKIE)),
                Values.secret(Setting.STICKY_SECRET, v.get(Setting.STICKY_SECRET)),
                Values.bool(Setting.REWRITE_REDIRECTS, v.get(Setting.REWRITE_REDIRECTS)),
                Values.folder(Setting.ERROR_PAGES, v.get(Setting.ERROR_PAGES)),
                routesFile,
                Values.durationOrOff(Setting.ROUTES_FILE_CHECK, v.get(Setting.ROUTES_FILE_CHECK)),
                initialRoutes,
                Values.integer(Setting.ADMIN_PORT, v.get(Setting.ADMIN_PORT), 0, 65535),
                Values.ipAddress(Setting.ADMIN_ADDRESS, v.get(Setting.ADMIN_ADDRESS)),
                Values.optionalPath(Setting.HEALTH_CHECK_PATH, v.get(Setting.HEALTH_CHECK_PATH)),
                Values.duration(Setting.HEALTH_CHECK_INTERVAL, v.get(Setting.HEALTH_CHECK_INTERVAL)),
                Values.duration(Setting.HEALTH_CHECK_TIMEOUT, v.get(Setting.HEALTH_CHECK_TIMEOUT)),
                Values.integer(Setting.HEALTH_CHECK_FALL, v.get(Setting.HEALTH_CHECK_FALL), 1, 100),
                Values.integer(Setting.HEALTH_CHECK_RISE, v.get(Setting.HEALTH_CHECK_RISE), 1, 100),
                Values.duration(Setting.DRAIN_TIMEOUT, v.get(Setting.DRAIN_TIMEOUT)),
                Values.tokens(Setting.UPGRADE_PROTOCOLS, v.get(Setting.UPGRADE_PROTOCOLS)),
                Values.duration(Setting.UPGRADE_IDLE_TIMEOUT, v.get(Setting.UPGRADE_IDLE_TIMEOUT)),
                Values.integer(Setting.MAX_TUNNELS, v.get(Setting.MAX_TUNNELS), 1, 1_000_000));
    }
}
