package hostproxy;

import hostproxy.config.BackendProtocol;
import hostproxy.config.Cidr;
import hostproxy.config.ProxyConfig;
import hostproxy.config.RouteOption;
import hostproxy.config.RouteOptions;
import hostproxy.config.StickyMode;
import hostproxy.relay.BodyLimit;
import hostproxy.relay.ExchangeHooks;
import hostproxy.relay.HeaderField;
import hostproxy.relay.OutboundRequest;
import hostproxy.relay.ProxyError;
import hostproxy.relay.ResponseRewriter;
import hostproxy.relay.UpstreamClient;
import hostproxy.routing.ClientView;
import hostproxy.routing.Route;
import hostproxy.upstream.Backend;
import hostproxy.upstream.Endpoint;
import hostproxy.upstream.StickySessions;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.util.Timeout;

/**
 * The front-door rules for one exchange, with the route's own options (as the route table gave
 * them when the exchange started) winning over the global settings: who may come in
 * ({@code allowedClients}), how large a body may be ({@code maxBodySize}), which address a sticky
 * session pins, per-route timeouts, the protocol of the route's backend (HTTP/2 for {@code h2c} and
 * {@code h2} targets), and the response headers as the client should see them (redirects and
 * cookies rewritten, a sticky cookie set).
 */
final class FrontDoor implements ExchangeHooks {
    private final ProxyConfig config;
    private final Route route;
    private final RouteOptions options;
    private final ClientView client;
    private final StickySessions sticky;
    private final String stickyToken;
    private final Duration grpcTimeout;
    private Endpoint pinned;

    private FrontDoor(ProxyConfig config, Route route, ClientView client, StickySessions sticky, String stickyToken,
            Duration grpcTimeout) {
        this.config = config;
        this.route = route;
        this.options = route.options();
        this.client = client;
        this.sticky = sticky;
        this.stickyToken = stickyToken;
        this.grpcTimeout = grpcTimeout;
    }

    /**
     * @throws ProxyError {@code 403} for a client outside the route's allowed clients, {@code 413}
     *                    for a declared body larger than its limit: nothing reaches the backend
     */
    static FrontDoor admit(ProxyConfig config, Route route, ClientView client, StickySessions sticky,
            HttpServletRequest request) throws ProxyError {
        FrontDoor door = new FrontDoor(config, route, client, sticky, cookie(request, config.stickyCookie()),
                GrpcDeadline.of(request));
        checkAllowed(door.options.get(RouteOption.ALLOWED_CLIENTS, config.allowedClients()), client);
        long limit = door.maxBodySize();
        if (limit >= 0 && request.getContentLengthLong() > limit) {
            throw BodyLimit.tooLarge(limit);
        }
        return door;
    }

    /**
     * For a request that names no route (answered 400, 404 or 508): a client outside the global
     * {@code allowedClients} learns nothing more than {@code 403}.
     */
    static void admitUnrouted(ProxyConfig config, ClientView client) throws ProxyError {
        checkAllowed(config.allowedClients(), client);
    }

    private static void checkAllowed(List<Cidr> allowed, ClientView client) throws ProxyError {
        InetAddress address = Cidr.literal(client.address());
        if (!allowed.isEmpty() && (address == null || !Cidr.anyContains(allowed, address))) {
            throw new ProxyError(403, "client " + client.address() + " may not use this service");
        }
    }

    boolean preserveHost() {
        return options.get(RouteOption.PRESERVE_HOST, config.preserveHost());
    }

    private long maxBodySize() {
        return options.get(RouteOption.MAX_BODY_SIZE, config.maxBodySize());
    }

    /** The request with its body cut off at the limit (see {@link BodyLimit}). */
    OutboundRequest limitBody(OutboundRequest request) {
        return BodyLimit.apply(request, maxBodySize());
    }

    private boolean isSticky() {
        return options.get(RouteOption.STICKY, config.sticky()) == StickyMode.COOKIE;
    }

    @Override
    public Endpoint pinned(Backend backend) {
        pinned = isSticky() ? sticky.pinned(backend, stickyToken) : null;
        return pinned;
    }

    /**
     * The route's own timeouts (a gRPC call's {@code grpc-timeout} shortens them), and HTTP/2 for an
     * {@code h2c} or {@code h2} target; {@code null}: none of these.
     */
    @Override
    public HttpClientContext context() {
        Duration connect = options.get(RouteOption.CONNECT_TIMEOUT, null);
        Duration response = options.get(RouteOption.RESPONSE_TIMEOUT, null);
        BackendProtocol protocol = route.target().protocol();
        boolean ownTimeouts = connect != null || response != null || grpcTimeout != null;
        if (!ownTimeouts && protocol == BackendProtocol.HTTP_1_1) {
            return null;
        }
        HttpClientContext context = HttpClientContext.create();
        UpstreamClient.speak(context, protocol);
        if (!ownTimeouts) {
            return context;
        }
        Timeout c = Timeout.of(GrpcDeadline.bound(connect != null ? connect : config.connectTimeout(), grpcTimeout));
        @SuppressWarnings("deprecation") // per request, the connect timeout is only in RequestConfig
        RequestConfig requestConfig = RequestConfig.custom()
                .setConnectionRequestTimeout(c)
                .setConnectTimeout(c)
                .setResponseTimeout(Timeout.of(GrpcDeadline.bound(response != null ? response : config.responseTimeout(),
                        grpcTimeout)))
                .build();
        context.setRequestConfig(requestConfig);
        return context;
    }

    @Override
    public List<HeaderField> toClient(List<HeaderField> fields, Backend backend, Endpoint served) {
        List<HeaderField> out = fields;
        if (options.get(RouteOption.REWRITE_REDIRECTS, config.rewriteRedirects())) {
            out = new ResponseRewriter(route.target(), client.scheme(), client.publicHost()).rewrite(out);
        }
        if (isSticky() && served != pinned) {
            out = new ArrayList<>(out);
            out.add(new HeaderField("Set-Cookie", config.stickyCookie() + "=" + sticky.token(backend, served)
                    + "; Path=/; HttpOnly; SameSite=Lax" + (client.https() ? "; Secure" : "")));
        }
        return out;
    }

    private static String cookie(HttpServletRequest request, String name) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (c.getName().equals(name)) {
                    return c.getValue();
                }
            }
        }
        return null;
    }
}
