package hostproxy.relay;

import hostproxy.config.BackendTarget;
import hostproxy.routing.Route;
import hostproxy.upstream.Backend;
import hostproxy.upstream.Endpoint;
import hostproxy.upstream.Upstreams;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;

/**
 * Sends one request to its backend and streams the response back: request body streamed,
 * response body flushed as it arrives, nothing buffered beyond one {@value #BUFFER_SIZE}-byte buffer.
 */
public final class Relay {
    private static final Logger LOG = Logger.getLogger(Relay.class.getName());
    static final int BUFFER_SIZE = 16 * 1024;

    private final CloseableHttpClient client;
    private final Upstreams upstreams;

    public Relay(UpstreamClient client, Upstreams upstreams) {
        this.client = client.client();
        this.upstreams = upstreams;
    }

    /**
     * Sends the request to the route's backend, trying its addresses as {@link Attempts} allows,
     * and streams the response back. Nothing is resent once a response has begun.
     *
     * @throws ProxyError               the backend could not be reached or failed before any
     *                                  response byte was relayed
     * @throws ResponseAbortedException the backend failed after the response head was relayed
     */
    public void forward(Exchange exchange, Route route, OutboundRequest request, HttpServletResponse response)
            throws ProxyError, ResponseAbortedException {
        forward(exchange, route, request, response, ExchangeHooks.NONE);
    }

    /** As {@link #forward(Exchange, Route, OutboundRequest, HttpServletResponse)}, with the front door's hooks. */
    public void forward(Exchange exchange, Route route, OutboundRequest request, HttpServletResponse response,
            ExchangeHooks hooks) throws ProxyError, ResponseAbortedException {
        Backend backend;
        try {
            backend = upstreams.backend(route.backendName());
        } catch (IOException e) {
            throw BackendFailures.classify(e, route.backendName());
        }
        if (backend.everyAddressOutByActiveHealth()) {
            throw ProxyError.unavailable("backend " + route.backendName() + " has no healthy address", 5);
        }
        Attempts attempts = new Attempts(upstreams, backend, request, hooks.pinned(backend), exchange.trace());
        for (Endpoint endpoint = attempts.next(); endpoint != null; endpoint = attempts.next()) {
            endpoint.begin();
            try {
                ClassicHttpResponse backendResponse;
                try {
                    HttpHost host = host(route.target(), endpoint);
                    backendResponse = client.executeOpen(host, toClassic(host, route.target(), request), hooks.context());
                } catch (IOException e) {
                    if (BodyLimit.exceededBy(e)) {
                        throw new ProxyError(413, e.getMessage());
                    }
                    if (ClientGoneException.causedBy(e)) {
                        LOG.fine(() -> exchange + ": client went away while sending its request body");
                        return;
                    }
                    if (!attempts.failed(endpoint, e)) {
                        throw BackendFailures.classify(e, route.backendName());
                    }
                    String address = endpoint.address().getHostAddress();
                    LOG.fine(() -> exchange + ": " + address + " failed (" + e + "); trying again");
                    continue;
                }
                attempts.succeeded(endpoint);
                try {
                    Endpoint served = endpoint;
                    relayResponse(exchange, route, backendResponse, response,
                            fields -> hooks.toClient(fields, backend, served));
                } finally {
                    close(exchange, backendResponse);
                }
                return;
            } finally {
                upstreams.finished(endpoint);
            }
        }
        throw BackendFailures.classify(attempts.lastFailure(), route.backendName());
    }

    private static void close(Exchange exchange, ClassicHttpResponse backendResponse) {
        try {
            backendResponse.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, e, () -> exchange + ": closing the backend response failed");
        }
    }

    /** The address to connect to, and the name for the Host header, TLS and logs. */
    private static HttpHost host(BackendTarget target, Endpoint endpoint) {
        return new HttpHost(target.scheme(), endpoint.address(), target.host(), target.port());
    }

    private static ClassicHttpRequest toClassic(HttpHost host, BackendTarget target, OutboundRequest request) {
        BasicClassicHttpRequest out = new BasicClassicHttpRequest(request.method(), host,
                target.basePath() + request.rawTarget());
        for (HeaderField h : request.headers()) {
            out.addHeader(h.name(), h.value());
        }
        if (request.body() != null) {
            // Length -1 makes the client library send the body chunked; the Content-Type travels as a header.
            out.setEntity(new ClientBodyEntity(request.body(), request.bodyLength()));
        }
        return out;
    }

    private void relayResponse(Exchange exchange, Route route, ClassicHttpResponse from, HttpServletResponse to,
            UnaryOperator<List<HeaderField>> shape) throws ProxyError, ResponseAbortedException {
        to.setStatus(from.getCode());
        // The first field of each name replaces what the container may have put there already
        // (Jetty presets Date, and Server unless told not to): the client gets the backend's fields
        // once; further fields of the same name (Set-Cookie...) are added.
        Set<String> seen = new HashSet<>();
        for (HeaderField h : shape.apply(HeaderPolicy.toClient(fields(from.getHeaders())))) {
            if (seen.add(h.name().toLowerCase(Locale.ROOT))) {
                to.setHeader(h.name(), h.value());
            } else {
                to.addHeader(h.name(), h.value());
            }
        }
        HttpEntity entity = from.getEntity();
        if (entity == null) {
            return; // 204, 304, a response to HEAD: no body
        }
        InputStream body;
        try {
            body = entity.getContent();
        } catch (IOException e) {
            throw brokenOff(exchange, route, 0, e, to);
        }
        boolean complete = false;
        try {
            complete = stream(exchange, route, body, to);
        } finally {
            if (!complete) {
                abort(body);
            }
        }
    }

    /** @return true when the whole body reached the client, false when the client went away */
    private static boolean stream(Exchange exchange, Route route, InputStream body, HttpServletResponse to)
            throws ProxyError, ResponseAbortedException {
        OutputStream out = clientOutput(exchange, to);
        if (out == null) {
            return false;
        }
        byte[] buffer = new byte[BUFFER_SIZE];
        long relayed = 0;
        for (;;) {
            int n;
            try {
                n = body.read(buffer);
            } catch (IOException e) {
                throw brokenOff(exchange, route, relayed, e, to);
            }
            if (n < 0) {
                return true; // read to its end, the body has returned its connection to the pool
            }
            if (!write(exchange, out, buffer, n, body)) {
                return false;
            }
            relayed += n;
        }
    }

    /**
     * Drops the backend connection of a body that was not read to its end. Closing the stream
     * instead would read the rest of the body (HttpCore drains a delimited body on close so that the
     * connection can be reused), which never ends for a stream and pins a pooled connection.
     */
    private static void abort(InputStream body) {
        if (body instanceof EofSensorInputStream sensor) {
            try {
                sensor.abort();
            } catch (IOException e) {
                LOG.log(Level.FINE, "discarding a backend connection failed", e);
            }
        }
    }

    private static OutputStream clientOutput(Exchange exchange, HttpServletResponse to) {
        try {
            return to.getOutputStream();
        } catch (IOException e) {
            LOG.fine(() -> exchange + ": client went away before the response: " + e);
            return null;
        }
    }

    /**
     * Writes to the client and flushes when the backend has nothing more ready, so that each
     * event of a stream reaches the client when the backend writes it.
     *
     * @return false when the client has gone away
     */
    private static boolean write(Exchange exchange, OutputStream out, byte[] buffer, int n, InputStream body) {
        try {
            out.write(buffer, 0, n);
            if (available(body) == 0) {
                out.flush();
            }
            return true;
        } catch (IOException e) {
            LOG.fine(() -> exchange + ": client went away during the response: " + e);
            return false;
        }
    }

    private static int available(InputStream body) {
        try {
            return body.available();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The backend failed mid-body: returns a clean error to answer while nothing is committed,
     * else throws to abort the client's connection.
     */
    private static ProxyError brokenOff(Exchange exchange, Route route, long relayed, IOException cause,
            HttpServletResponse to) throws ResponseAbortedException {
        if (!to.isCommitted()) {
            to.reset();
            return BackendFailures.classify(cause, route.backendName());
        }
        String message = "backend " + route.backendName() + " broke off the response after " + relayed
                + " body bytes; aborting the client connection (" + cause + ")";
        LOG.warning(() -> exchange + ": " + message);
        throw new ResponseAbortedException(message);
    }

    private static List<HeaderField> fields(Header[] headers) {
        List<HeaderField> fields = new ArrayList<>(headers.length);
        for (Header h : headers) {
            fields.add(new HeaderField(h.getName(), h.getValue()));
        }
        return fields;
    }
}
