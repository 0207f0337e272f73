package hostproxy.config;

/**
 * A setting that a line of the routes file ({@code routesFile}) may give for one label, winning over
 * the global value. Adding one is one line here; its users read it with
 * {@link RouteOptions#get(RouteOption, Object)}, passing the global value as the fallback.
 */
public enum RouteOption {
    CONNECT_TIMEOUT("connectTimeout", Values::duration),
    RESPONSE_TIMEOUT("responseTimeout", Values::duration),
    MAX_BODY_SIZE("maxBodySize", Values::size),
    ALLOWED_CLIENTS("allowedClients", Values::cidrs),
    STICKY("sticky", Values::sticky),
    PRESERVE_HOST("preserveHost", Values::bool),
    REWRITE_REDIRECTS("rewriteRedirects", Values::bool),
    /** Read by active health checks (branch admin); a path such as {@code /healthz}. */
    HEALTH_CHECK_PATH("healthCheckPath", Values::path);

    /** Parses a value; {@code setting} is the one to name in the error. */
    @FunctionalInterface
    interface Parser {
        Object parse(Setting setting, String value);
    }

    private final String key;
    private final Parser parser;

    RouteOption(String key, Parser parser) {
        this.key = key;
        this.parser = parser;
    }

    public String key() {
        return key;
    }

    Object parse(Setting setting, String value) {
        return parser.parse(setting, value);
    }

    static RouteOption byKey(String key) {
        for (RouteOption o : values()) {
            if (o.key.equals(key)) {
                return o;
            }
        }
        return null;
    }
}
