package hostproxy.config;

import java.util.Locale;

/**
 * Every setting hostproxy reads: its name, default and meaning. This enum is the single source of
 * truth; the settings table of docs/configuration.md is checked against it by a test
 * ({@code SettingsTableTest}).
 *
 * <p>A setting can be given, from lowest to highest precedence, as a web.xml context-param (or a
 * Tomcat context {@code <Parameter>}, which the container presents the same way), a servlet
 * init-param, a JVM system property {@code hostproxy.<name>}, or an environment variable
 * {@code HOSTPROXY_<UPPER_SNAKE_NAME>}.
 */
public enum Setting {
    BACKEND_SCHEME("backendScheme", "http",
            "Scheme used to reach backends built from the template: `http` or `https` (HTTP/1.1), `h2c` "
                    + "(HTTP/2 without TLS, prior knowledge) or `h2` (HTTP/2 over TLS, by ALPN)."),
    BACKEND_HOST("backendHost", "{label}",
            "Template for the backend host name; `{label}` is replaced by the first label of the Host header "
                    + "(e.g. `tasks.{label}` or `{label}.internal`)."),
    BACKEND_PORT("backendPort", "8080", "Port of backends built from the template."),
    ROUTES("routes", "",
            "Explicit targets per label that win over the template, comma-separated: "
                    + "`www=http://frontend:3000, api=http://api-v2:9000/base` (a base path is prefixed); "
                    + "`h2c://` and `h2://` reach a target over HTTP/2 (`grpcsvc=h2c://grpcsvc:50051`)."),
    ALLOWED_BACKENDS("allowedBackends", "*",
            "Comma-separated globs (`*`, `?`) of labels that may be reached; others get `404`. "
                    + "`localhost` is refused unless a route names it."),
    BACKEND_NETWORKS("backendNetworks", BackendNetworks.PUBLIC_AND_PRIVATE,
            "Where backends built from the template may be, comma-separated: `public-and-private` (every address "
                    + "but loopback `127.0.0.0/8`, `::1`; link-local `169.254.0.0/16`, `fe80::/10`; unspecified "
                    + "`0.0.0.0/8`, `::`; multicast `224.0.0.0/4`, `ff00::/8`; broadcast), `*` (any address) and CIDR "
                    + "blocks; an IPv4-mapped IPv6 address counts as its IPv4 address. A list replaces the default: "
                    + "`127.0.0.0/8` allows loopback only, `public-and-private, 127.0.0.1` adds one local address to it "
                    + "(see [Security notes](#security-notes)). An address outside is never connected to, as if DNS had "
                    + "not given it; a name left with none gets `502`. Explicit routes are not checked."),
    PRESERVE_HOST("preserveHost", "true",
            "`true`: send the client's Host header to the backend; `false`: send the backend's own name."),
    CONNECT_TIMEOUT("connectTimeout", "5s",
            "Longest wait for a TCP connection to a backend (and for a free pooled connection); then `504`."),
    RESPONSE_TIMEOUT("responseTimeout", "60s",
            "Longest silence from a backend while waiting for its response or between body reads; then `504` "
                    + "(or an aborted response once it has started)."),
    MAX_CONNECTIONS_PER_BACKEND("maxConnectionsPerBackend", "2000",
            "Connections to one backend address at most; each exchange under way holds one (a stream too). Beyond, "
                    + "a request waits up to `connectTimeout` for one, then gets `503`."),
    MAX_CONNECTIONS("maxConnections", "10000", "Connections to all backends at most."),
    CLIENT_IDLE_TIMEOUT("clientIdleTimeout", "60s",
            "Longest a client may keep an exchange waiting: sending none of its request body, or taking none of "
                    + "its response; then `408` (upload, before any response) or its connection dropped."),
    MAX_EXCHANGES("maxExchanges", "10000",
            "Exchanges relayed at once at most (streams included; tunnels count in `maxTunnels`); beyond: `503` "
                    + "with `Retry-After: 1`. No thread is held per exchange, so this bounds memory (about 150 KiB "
                    + "per busy exchange), not threads."),
    DNS_SERVERS("dnsServers", "",
            "DNS servers to ask, comma-separated IP addresses with optional port (`127.0.0.11`, `[fd00::53]:5353`); "
                    + "empty: the system's resolvers (`/etc/resolv.conf`, with its search domains, or Windows' own). "
                    + "The hosts file is read first either way."),
    DNS_REFRESH("dnsRefresh", "5s",
            "How often each backend name in use is resolved again, in the background; it wins over record TTLs."),
    DNS_TIMEOUT("dnsTimeout", "2s", "Longest wait for one DNS answer (each server is tried once more after it)."),
    BALANCER("balancer", "round-robin",
            "How requests for one name are spread over its addresses: `round-robin` or `least-requests` "
                    + "(the less busy of two random addresses)."),
    TRUSTED_PROXIES("trustedProxies", "",
            "Comma-separated addresses or CIDR blocks (`10.0.0.0/8, 192.0.2.7`) of load balancers in front of hostproxy. "
                    + "Their `X-Forwarded-*` and `Forwarded` headers are kept and extended, their `X-Forwarded-Proto` "
                    + "says whether the client used HTTPS, and the client address is the right-most one in "
                    + "`X-Forwarded-For` that is not one of them. From any other peer those headers are replaced."),
    ALLOWED_CLIENTS("allowedClients", "",
            "Comma-separated addresses or CIDR blocks of the clients that may be served (the real client address, "
                    + "see `trustedProxies`); others get `403`. Empty: every client."),
    MAX_BODY_SIZE("maxBodySize", "unlimited",
            "Largest request body: bytes or `512KB`, `10MB`, `1GB` (1024-based). A larger `Content-Length` gets `413` "
                    + "before anything reaches the backend; a chunked body that grows past it is cut off, the backend "
                    + "exchange aborted (never a complete-looking body), and the client gets `413`."),
    STICKY("sticky", "off",
            "`cookie`: a client keeps going to the address that served it, through a signed cookie any instance with "
                    + "the same `stickySecret` honours; `off`: every request is balanced."),
    STICKY_COOKIE("stickyCookie", "hostproxy_sticky", "Name of the sticky-session cookie."),
    STICKY_SECRET("stickySecret", "",
            "Key (16 characters or more) that signs sticky cookies; give every instance the same one. Empty: a random "
                    + "key per instance (logged as a warning: stickiness then does not cross instances)."),
    REWRITE_REDIRECTS("rewriteRedirects", "true",
            "`true`: `Location`, `Content-Location`, `Refresh` and `Set-Cookie` `Path`/`Domain` that point at the "
                    + "backend's own authority or base path are rewritten to the public scheme, host and path."),
    ERROR_PAGES("errorPages", "",
            "Folder of pages (`502.html`, `404.html`, ...) that replace hostproxy's own error pages for clients "
                    + "that accept `text/html`; `{status}` and `{reason}` in them are filled in. Empty: built-in pages."),
    ROUTES_FILE("routesFile", "",
            "A file of routes with per-route options, one per line (`api http://api:9000/base sticky=cookie "
                    + "maxBodySize=10MB`); see [Per-route options](#per-route-options). Empty: none."),
    ROUTES_FILE_CHECK("routesFileCheck", "2s",
            "How often the routes file is read again: a changed file is taken, whole, once two reads in a row "
                    + "agree, for the exchanges that start after it (see "
                    + "[Routes that change](#routes-that-change-while-running)); `off`: read once, at start."),
    ADMIN_PORT("adminPort", "8081",
            "Port of the admin endpoints (status page `/`, `/healthz`, `/readyz`, `/metrics`), served apart from "
                    + "the container's connectors; `0`: off. If the port is taken the proxy still starts, without them."),
    ADMIN_ADDRESS("adminAddress", "127.0.0.1",
            "IP address the admin port listens on: loopback by default; `0.0.0.0` (or `::`) in a container image, "
                    + "so that probes and Prometheus on the same network reach it. Never publish that port."),
    HEALTH_CHECK_PATH("healthCheckPath", "",
            "Path of the active health check sent to every backend address, e.g. `/health`; empty: off. "
                    + "When on, an address gets traffic only once a check has passed (a `2xx` or `3xx` answer)."),
    HEALTH_CHECK_INTERVAL("healthCheckInterval", "10s",
            "Time between two checks of one address (the checks of all addresses are spread over it)."),
    HEALTH_CHECK_TIMEOUT("healthCheckTimeout", "2s",
            "Longest wait for a check to connect, and then for its answer; also the longest a request for a "
                    + "name none of whose addresses has been checked yet waits for the first check (then `503`)."),
    HEALTH_CHECK_FALL("healthCheckFall", "3",
            "Consecutive failed checks that take an address out of rotation (ejected)."),
    HEALTH_CHECK_RISE("healthCheckRise", "2",
            "Consecutive passed checks that bring an ejected address back (a new address needs one)."),
    DRAIN_TIMEOUT("drainTimeout", "30s",
            "On stop: `/readyz` answers `503` at once, then exchanges in flight get this long to finish "
                    + "before backend connections are closed."),
    UPGRADE_PROTOCOLS("upgradeProtocols", "websocket",
            "Comma-separated `Upgrade` tokens that are tunnelled "
                    + "(see [WebSockets](how-it-works.md#websockets-and-other-upgrades)); "
                    + "a request offering only others (`h2c`...) is relayed as a plain request without them. Empty: none."),
    UPGRADE_IDLE_TIMEOUT("upgradeIdleTimeout", "1h",
            "A tunnel (an upgraded connection, e.g. a WebSocket) with no byte either way for this long is closed. "
                    + "Long by default so that quiet dashboards stay connected."),
    MAX_TUNNELS("maxTunnels", "5000", "Open tunnels at most; a further upgrade request gets `503`.");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The name used in web.xml, context files and the docs, e.g. {@code connectTimeout}. */
    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** e.g. {@code hostproxy.connectTimeout}. */
    public String systemProperty() {
        return "hostproxy." + key;
    }

    /** e.g. {@code HOSTPROXY_CONNECT_TIMEOUT}. */
    public String environmentVariable() {
        return "HOSTPROXY_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
