package hostproxy.upstream;

import hostproxy.config.BackendProtocol;
import hostproxy.config.BackendTarget;
import hostproxy.config.ProxyConfig;
import hostproxy.config.RouteOption;
import hostproxy.config.RouteOptions;
import hostproxy.config.RouteTable;
import java.util.Map;
import java.util.function.Function;

/** Which backend names get active health checks, and how, by a route table and the global settings. */
public final class HealthChecks {
    private HealthChecks() {
    }

    /**
     * The active health check of each backend name: the path of the route whose target is that
     * host, else the global {@code healthCheckPath}, sent to that route's scheme and port, else the
     * template's; {@code null} (unchecked) when the path is empty.
     */
    public static Function<String, HealthCheck> of(ProxyConfig config, RouteTable routes) {
        if (!any(config, routes)) {
            return name -> null;
        }
        return name -> {
            for (Map.Entry<String, BackendTarget> route : routes.targets().entrySet()) {
                BackendTarget t = route.getValue();
                if (t.host().equals(name)) {
                    return check(t.scheme(), t.port(), pathFor(config, routes, route.getKey()), t.protocol());
                }
            }
            for (String label : routes.lines().keySet()) { // template backends with a line of their own
                if (routes.target(label) == null && config.backendHost().replace("{label}", label).equals(name)) {
                    return check(config.backendScheme(), config.backendPort(), pathFor(config, routes, label),
                            config.backendProtocol());
                }
            }
            return check(config.backendScheme(), config.backendPort(), config.healthCheckPath(), config.backendProtocol());
        };
    }

    /** For the status page: {@code GET /health every 10000 ms, ...}, or {@code off}. */
    public static String describe(ProxyConfig c, RouteTable routes) {
        String path = c.healthCheckPath().isEmpty() ? "(per route)" : c.healthCheckPath();
        return !any(c, routes) ? "off" : "GET " + path + " every " + c.healthCheckInterval().toMillis()
                + " ms, timeout " + c.healthCheckTimeout().toMillis() + " ms, out after " + c.healthCheckFall()
                + " failures, back after " + c.healthCheckRise() + " passes";
    }

    /** Whether any address is checked: a global path, or one of a route. */
    private static boolean any(ProxyConfig config, RouteTable routes) {
        return !config.healthCheckPath().isEmpty() || routes.lines().values().stream()
                .anyMatch(o -> o.get(RouteOption.HEALTH_CHECK_PATH, null) != null);
    }

    private static String pathFor(ProxyConfig config, RouteTable routes, String label) {
        RouteOptions options = routes.optionsFor(label);
        return options.get(RouteOption.HEALTH_CHECK_PATH, config.healthCheckPath());
    }

    private static HealthCheck check(String scheme, int port, String path, BackendProtocol protocol) {
        return path.isEmpty() ? null : new HealthCheck(scheme, port, path, protocol);
    }
}
