package hostproxy.tunnel;

import hostproxy.config.BackendTarget;
import hostproxy.config.ProxyConfig;
import hostproxy.relay.BackendFailures;
import hostproxy.relay.Exchange;
import hostproxy.relay.ExchangeHooks;
import hostproxy.relay.HeaderField;
import hostproxy.relay.ResponseFields;
import hostproxy.relay.HeaderPolicy;
import hostproxy.relay.OutboundRequest;
import hostproxy.relay.ProxyError;
import hostproxy.relay.ResponseAbortedException;
import hostproxy.routing.Route;
import hostproxy.upstream.Backend;
import hostproxy.upstream.Endpoint;
import hostproxy.upstream.Upstreams;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.client5.http.ConnectTimeoutException;

/**
 * Upgrade (WebSocket) tunnels of one deployment: the handshake, the open tunnels, their limit,
 * counts and idle check, and the reactor thread their backend sides run on.
 *
 * <p>The handshake runs on the servlet thread, inside {@code service()}, bounded by
 * {@code connectTimeout} and {@code responseTimeout}: the backend's address is picked, connected
 * to and failed over exactly as for a request (passive health included), the request head is sent
 * with {@code Connection: upgrade} and {@code Upgrade}, and the answer head read. Only a {@code 101}
 * naming a protocol that was asked for switches the client connection ({@code
 * HttpServletRequest.upgrade}, with the status and headers set first, as Jetty 12.1 wants); any
 * other answer is relayed as a normal response. From then on no thread is held: see {@link Tunnel}.
 */
public final class Tunnels implements TunnelCounts, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Tunnels.class.getName());
    private static final int MAX_INTERIM = 10;

    private final ProxyConfig config;
    private final Upstreams upstreams;
    private final TunnelReactor reactor;
    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
    /** Open tunnels plus handshakes under way: what {@code maxTunnels} bounds. */
    private final AtomicInteger taken = new AtomicInteger();
    private final LongAdder toBackend = new LongAdder();
    private final LongAdder toClient = new LongAdder();
    private volatile boolean stopping;
    private volatile Meter meter = Meter.NONE;
    /** Why this container cannot carry tunnels, or {@code null} when it can. */
    private final String unsupported;

    /** @param serverInfo the container's {@code ServletContext.getServerInfo()} */
    public Tunnels(ProxyConfig config, Upstreams upstreams, String serverInfo) {
        this.config = config;
        this.upstreams = upstreams;
        this.unsupported = unsupportedOn(serverInfo);
        this.reactor = new TunnelReactor(this::closeIdle);
    }

    /** Where tunnel events go besides {@link TunnelCounts}: the admin port's metrics, which count by events. */
    public interface Meter {
        Meter NONE = new Meter() {
            @Override
            public void opened(int delta) {
            }

            @Override
            public void bytes(boolean toBackend, long bytes) {
            }
        };

        /** A tunnel opened (+1) or closed (-1). */
        void opened(int delta);

        void bytes(boolean toBackend, long bytes);
    }

    /** Reports tunnel events to {@code m} from now on. */
    public void meter(Meter m) {
        this.meter = m;
    }

    /**
     * WildFly (Undertow 2.3) ends the input of an upgraded connection after the first bytes a
     * servlet reads from it (its channel reports end of stream), so a tunnel would die after the
     * client's first message: such a half-working tunnel is refused with {@code 501} instead.
     */
    static String unsupportedOn(String serverInfo) {
        String info = serverInfo == null ? "" : serverInfo.toLowerCase(Locale.ROOT);
        if (info.contains("wildfly") || info.contains("undertow") || info.contains("jboss")) {
            return "Upgrade (WebSocket) tunnels do not work on WildFly/Undertow yet";
        }
        return null;
    }

    /**
     * The upgrade this request asks for and this proxy tunnels, or {@code null}: relay it as a plain request.
     *
     * @throws ProxyError 400 for an upgrade over HTTP/1.0 or with a body
     */
    public UpgradeRequest upgradeOf(HttpServletRequest request) throws ProxyError {
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        return UpgradeRequest.of(request.getProtocol(), Collections.list(request.getHeaders("Connection")),
                Collections.list(request.getHeaders("Upgrade")), hasBody, config.upgradeProtocols());
    }

    /**
     * Performs the handshake with the route's backend and, on its {@code 101}, switches the client
     * connection to a tunnel; any other answer is relayed as a response.
     */
    public void open(Exchange exchange, Route route, UpgradeRequest upgrade, OutboundRequest request,
            HttpServletRequest servletRequest, HttpServletResponse response, ExchangeHooks hooks)
            throws ProxyError, ResponseAbortedException {
        if (unsupported != null) {
            throw new ProxyError(501, unsupported);
        }
        if (stopping || taken.incrementAndGet() > config.maxTunnels()) {
            if (!stopping) {
                taken.decrementAndGet();
            }
            throw new ProxyError(503, "too many open tunnels (maxTunnels=" + config.maxTunnels() + ")");
        }
        boolean handedOver = false;
        try {
            handedOver = handshake(exchange, route, upgrade, request, servletRequest, response, hooks);
        } finally {
            if (!handedOver) {
                taken.decrementAndGet();
            }
        }
    }

    private boolean handshake(Exchange exchange, Route route, UpgradeRequest upgrade, OutboundRequest request,
            HttpServletRequest servletRequest, HttpServletResponse response, ExchangeHooks hooks)
            throws ProxyError, ResponseAbortedException {
        BackendTarget target = route.target();
        String name = route.backendName();
        if (!target.scheme().equals("http")) {
            throw new ProxyError(502, "backend " + name + " is reached over " + target.scheme()
                    + ": hostproxy tunnels upgrades (WebSocket) to http backends only", null);
        }
        Backend backend;
        try {
            backend = upstreams.backend(name);
        } catch (IOException e) {
            throw BackendFailures.classify(e, name);
        }
        Endpoint endpoint = null;
        SocketChannel channel = null;
        boolean tunnelled = false;
        try {
            Set<Endpoint> tried = new HashSet<>();
            Endpoint pinned = hooks.pinned(backend);
            IOException last = null;
            boolean lookedUpAgain = false;
            while (channel == null) {
                Endpoint next = backend.pick(tried, System.nanoTime(), pinned);
                pinned = null;
                if (next == null && !lookedUpAgain && last != null) {
                    lookedUpAgain = true;
                    if (upstreams.refreshNow(backend)) {
                        continue;
                    }
                }
                if (next == null) {
                    throw BackendFailures.classify(last != null ? last : new ConnectException("no address"), name);
                }
                tried.add(next);
                try {
                    channel = connect(next, target.port());
                    endpoint = next;
                    endpoint.begin();
                } catch (IOException e) {
                    if (!BackendFailures.isConnectFailure(e)) {
                        throw BackendFailures.classify(e, name);
                    }
                    last = e;
                    upstreams.connectFailed(backend, next, e.getMessage());
                    String address = next.address().getHostAddress();
                    LOG.fine(() -> exchange + ": tunnel to " + address + " failed (" + e + "); trying again");
                }
            }
            Socket socket = channel.socket();
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config.responseTimeout().toMillis()));
            writeHead(socket.getOutputStream(), target, upgrade, request);
            ResponseHead head = readHead(socket.getInputStream(), name);
            upstreams.succeeded(backend, endpoint);
            if (head.status() != 101) {
                List<HeaderField> fields = hooks.toClient(HeaderPolicy.toClient(head.fields()), backend, endpoint);
                PlainAnswer.relay(head, socket.getInputStream(), request.method(), fields, response, name);
                return false;
            }
            String switchedTo = head.first("Upgrade");
            if (!upgrade.accepts(switchedTo)) {
                throw new ProxyError(502, "backend " + name + " switched to a protocol the client did not ask for: "
                        + (switchedTo == null ? "no Upgrade field" : switchedTo), null);
            }
            Tunnel tunnel = new Tunnel(this, exchange, name, endpoint, channel, head.rest());
            open.add(tunnel);
            meter.opened(1);
            tunnelled = true; // from here the tunnel owns the channel, the endpoint and the slot
            switchClient(tunnel, servletRequest, response,
                    hooks.toClient(HeaderPolicy.toClientUpgrade(head.fields(), switchedTo), backend, endpoint), name);
            LOG.fine(() -> exchange + ": tunnel to " + name + " open (" + switchedTo + ")");
            return true;
        } catch (IOException e) {
            if (e instanceof ResponseAbortedException aborted) {
                throw aborted;
            }
            throw BackendFailures.classify(e, name);
        } finally {
            if (!tunnelled) {
                if (channel != null) {
                    closeQuietly(channel);
                }
                if (endpoint != null) {
                    upstreams.finished(endpoint);
                }
            }
        }
    }

    private SocketChannel connect(Endpoint endpoint, int port) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            Socket socket = channel.socket();
            socket.setTcpNoDelay(true); // a WebSocket message is often one small segment
            socket.connect(new InetSocketAddress(endpoint.address(), port),
                    (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
            return channel;
        } catch (SocketTimeoutException e) {
            closeQuietly(channel);
            throw new ConnectTimeoutException("connect timed out after " + config.connectTimeout().toMillis() + " ms");
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Sets the 101's status and fields, then asks the container to switch; the handler starts the tunnel. */
    private void switchClient(Tunnel tunnel, HttpServletRequest request, HttpServletResponse response,
            List<HeaderField> fields, String name) throws ProxyError {
        try {
            response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
            ResponseFields.set(response, fields);
            tunnel.jettyInput(JettyUpgradeInput.of(request));
            TunnelHandler handler = request.upgrade(TunnelHandler.class);
            handler.attach(tunnel);
        } catch (IOException | jakarta.servlet.ServletException | RuntimeException e) {
            tunnel.abort("the container could not switch protocols: " + e);
            throw new ProxyError(502, "the servlet container could not switch protocols for backend " + name, e);
        }
    }

    private static void writeHead(OutputStream out, BackendTarget target, UpgradeRequest upgrade,
            OutboundRequest request) throws IOException {
        StringBuilder head = new StringBuilder(512);
        head.append(request.method()).append(' ').append(target.basePath()).append(request.rawTarget())
                .append(" HTTP/1.1\r\n");
        List<HeaderField> fields = HeaderPolicy.toBackendUpgrade(request.headers(), upgrade.protocols());
        if (fields.stream().noneMatch(h -> h.name().equalsIgnoreCase("Host"))) {
            head.append("Host: ").append(target.host()).append(target.port() == 80 ? "" : ":" + target.port())
                    .append("\r\n");
        }
        for (HeaderField h : fields) {
            head.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The final answer's head; interim answers ({@code 100}, {@code 102}, {@code 103}) are skipped. */
    private static ResponseHead readHead(InputStream in, String name) throws IOException, ProxyError {
        byte[] buf = new byte[ResponseHead.MAX_HEAD];
        int length = 0;
        for (int heads = 0; heads < MAX_INTERIM; heads++) {
            int end = ResponseHead.end(buf, length);
            while (end < 0) {
                if (length == buf.length) {
                    throw new ProxyError(502, "backend " + name + " sent an invalid response: head larger than "
                            + buf.length + " bytes", null);
                }
                int n = in.read(buf, length, buf.length - length);
                if (n < 0) {
                    throw new SocketException("closed before answering");
                }
                length += n;
                end = ResponseHead.end(buf, length);
            }
            ResponseHead head;
            try {
                head = ResponseHead.parse(buf, end, length);
            } catch (IllegalArgumentException e) {
                throw new ProxyError(502, "backend " + name + " sent an invalid response: " + e.getMessage(), null);
            }
            if (head.status() >= 200 || head.status() == 101) {
                return head;
            }
            System.arraycopy(buf, end, buf, 0, length - end);
            length -= end;
        }
        throw new ProxyError(502, "backend " + name + " sent an invalid response: more than " + MAX_INTERIM
                + " interim responses", null);
    }

    TunnelReactor reactor() {
        return reactor;
    }

    void countToBackend(int n) {
        toBackend.add(n);
        meter.bytes(true, n);
    }

    void countToClient(int n) {
        toClient.add(n);
        meter.bytes(false, n);
    }

    /** A tunnel has closed both its sides. */
    void closed(Tunnel tunnel) {
        if (open.remove(tunnel)) {
            taken.decrementAndGet();
            meter.opened(-1);
            upstreams.finished(tunnel.endpoint());
        }
    }

    private void closeIdle() {
        long now = System.nanoTime();
        long limit = config.upgradeIdleTimeout().toNanos();
        for (Tunnel t : open) {
            if (t.idleNanos(now) > limit) {
                t.close("idle for " + config.upgradeIdleTimeout().toSeconds() + " s (upgradeIdleTimeout)");
            }
        }
    }

    @Override
    public int open() {
        return open.size();
    }

    @Override
    public long bytesToBackend() {
        return toBackend.sum();
    }

    @Override
    public long bytesToClient() {
        return toClient.sum();
    }

    /** Closes every tunnel (both sides), then stops the reactor thread and joins it. */
    @Override
    public void close() {
        stopping = true;
        int count = open.size();
        for (Tunnel t : List.copyOf(open)) {
            t.abort("hostproxy is stopping");
        }
        if (count > 0) {
            LOG.info(() -> "hostproxy: closed " + count + " open tunnel(s) on stop");
        }
        reactor.close();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing a backend connection failed", e);
        }
    }
}
