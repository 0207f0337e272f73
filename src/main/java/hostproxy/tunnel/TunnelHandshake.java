package hostproxy.tunnel;

import hostproxy.config.BackendProtocol;
import hostproxy.config.BackendTarget;
import hostproxy.config.ProxyConfig;
import hostproxy.container.JettyUpgradeInput;
import hostproxy.relay.Attempts;
import hostproxy.relay.BackendFailures;
import hostproxy.relay.Exchange;
import hostproxy.relay.ExchangeHooks;
import hostproxy.relay.HeaderField;
import hostproxy.relay.HeaderPolicy;
import hostproxy.relay.OutboundRequest;
import hostproxy.relay.ProxyError;
import hostproxy.relay.ResponseAbortedException;
import hostproxy.relay.ResponseFields;
import hostproxy.routing.Route;
import hostproxy.upstream.Backend;
import hostproxy.upstream.Endpoint;
import hostproxy.upstream.Upstreams;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.client5.http.ConnectTimeoutException;

/**
 * The handshake of one upgrade request, on the servlet thread inside {@code service()}, bounded by
 * {@code connectTimeout} and {@code responseTimeout}. The backend's addresses are tried by the
 * relay's own rules ({@link Attempts}: failover, passive health, one DNS re-lookup, the trace that
 * the access log and metrics read); the request head goes out with {@code Connection: upgrade} and
 * {@code Upgrade}, and the answer head is read. Only a {@code 101} naming a protocol that was asked
 * for (RFC 9110 §15.2.2) switches the client's connection ({@code HttpServletRequest.upgrade}, with
 * the status and headers set first, as Jetty 12.1 wants); any other answer is relayed as a normal
 * response ({@link PlainAnswer}).
 */
final class TunnelHandshake {
    private static final Logger LOG = Logger.getLogger(TunnelHandshake.class.getName());
    private static final int MAX_INTERIM = 10;

    private final Tunnels tunnels;
    private final ProxyConfig config;
    private final Upstreams upstreams;

    TunnelHandshake(Tunnels tunnels, ProxyConfig config, Upstreams upstreams) {
        this.tunnels = tunnels;
        this.config = config;
        this.upstreams = upstreams;
    }

    /** The backend's answer head, on the connection and address that gave it. */
    private record Answer(Endpoint endpoint, SocketChannel channel, ResponseHead head) {
    }

    /**
     * Performs the handshake; on the backend's {@code 101} a tunnel takes the connection over.
     *
     * @return whether a tunnel took the connection (and with it the handshake's place under {@code maxTunnels})
     */
    boolean perform(Exchange exchange, Route route, UpgradeRequest upgrade, OutboundRequest request,
            HttpServletRequest servletRequest, HttpServletResponse response, ExchangeHooks hooks)
            throws ProxyError, ResponseAbortedException {
        BackendTarget target = route.target();
        String name = route.backendName();
        if (!target.scheme().equals("http") || target.protocol() != BackendProtocol.HTTP_1_1) {
            throw new ProxyError(502, "backend " + name + " is reached over " + target.protocol().word(target.scheme())
                    + ": hostproxy tunnels upgrades (WebSocket) to http backends only", null);
        }
        Backend backend = Attempts.backendOf(upstreams, name, exchange.trace());
        Attempts attempts = new Attempts(upstreams, backend, request, hooks.pinned(backend), exchange.trace());
        Answer answer = firstAnswer(exchange, attempts, target, upgrade, request, name);
        ResponseHead head = answer.head();
        boolean tunnelled = false;
        try {
            if (head.status() != 101) {
                List<HeaderField> fields = hooks.toClient(HeaderPolicy.toClient(head.fields()), backend, answer.endpoint());
                PlainAnswer.relay(head, answer.channel().socket().getInputStream(), request.method(), fields, response,
                        name);
                return false;
            }
            String switchedTo = head.first("Upgrade");
            if (!upgrade.accepts(switchedTo)) {
                throw new ProxyError(502, "backend " + name + " switched to a protocol the client did not ask for: "
                        + (switchedTo == null ? "no Upgrade field" : switchedTo), null);
            }
            Tunnel tunnel = new Tunnel(tunnels, exchange, name, answer.endpoint(), answer.channel(), head.rest());
            switchClient(tunnel, servletRequest, response,
                    hooks.toClient(HeaderPolicy.toClientUpgrade(head.fields(), switchedTo), backend, answer.endpoint()),
                    name);
            // Open once the container took the switch: its handler starts the tunnel after service() returns.
            tunnels.opened(tunnel);
            tunnelled = true; // from here the tunnel owns the connection and the address's count
            LOG.fine(() -> exchange + ": tunnel to " + name + " open (" + switchedTo + ")");
            return true;
        } catch (ResponseAbortedException aborted) {
            throw aborted;
        } catch (IOException e) {
            throw BackendFailures.classify(e, name);
        } finally {
            if (!tunnelled) {
                release(answer.endpoint(), answer.channel());
            }
        }
    }

    /**
     * Sends the head to the addresses {@code attempts} gives until one answers it.
     *
     * @throws ProxyError no address answered, or one answered with a head that is not HTTP
     */
    private Answer firstAnswer(Exchange exchange, Attempts attempts, BackendTarget target, UpgradeRequest upgrade,
            OutboundRequest request, String name) throws ProxyError {
        for (Endpoint endpoint = attempts.next(); endpoint != null; endpoint = attempts.next()) {
            endpoint.begin();
            SocketChannel channel = null;
            try {
                channel = connect(endpoint, target.port());
                Socket socket = channel.socket();
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config.responseTimeout().toMillis()));
                writeHead(socket.getOutputStream(), target, upgrade, request);
                ResponseHead head = readHead(socket.getInputStream(), name);
                attempts.succeeded(endpoint);
                return new Answer(endpoint, channel, head);
            } catch (IOException e) {
                release(endpoint, channel);
                if (!attempts.failed(endpoint, e)) {
                    throw BackendFailures.classify(e, name);
                }
                String address = endpoint.address().getHostAddress();
                LOG.fine(() -> exchange + ": tunnel to " + address + " failed (" + e + "); trying again");
            } catch (ProxyError | RuntimeException e) {
                release(endpoint, channel);
                throw e;
            }
        }
        throw BackendFailures.classify(attempts.lastFailure(), name);
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

    /** The attempt on this address is over without a tunnel: its connection closes and its count ends. */
    private void release(Endpoint endpoint, SocketChannel channel) {
        if (channel != null) {
            closeQuietly(channel);
        }
        upstreams.finished(endpoint);
    }

    /** Sets the 101's status and fields, then asks the container to switch; the handler starts the tunnel. */
    private static void switchClient(Tunnel tunnel, HttpServletRequest request, HttpServletResponse response,
            List<HeaderField> fields, String name) throws ProxyError {
        try {
            response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
            ResponseFields.set(response, fields);
            tunnel.jettyInput(JettyUpgradeInput.of(request));
            TunnelHandler handler = request.upgrade(TunnelHandler.class);
            handler.attach(tunnel);
        } catch (IOException | ServletException | RuntimeException e) {
            tunnel.close("the container could not switch protocols: " + e);
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

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing a backend connection failed", e);
        }
    }
}
