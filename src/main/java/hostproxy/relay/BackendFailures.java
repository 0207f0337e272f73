package hostproxy.relay;

import hostproxy.upstream.AddressNotAllowedException;
import hostproxy.upstream.BackendUnresolvedException;
import hostproxy.upstream.NoReadyAddressException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.impl.ConnectionShutdownException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.NotImplementedException;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.UnsupportedHttpVersionException;

/**
 * Maps why a backend exchange failed, before any response byte was relayed, to a status and a
 * reason worded for whoever reads the log at 3 a.m.
 *
 * <p>Which layer handles which framing fault of a backend's response (RFC 9112 §6):
 * <ul>
 * <li>HttpCore refuses, before any byte is relayed: a {@code Transfer-Encoding} other than a single
 *     {@code chunked} ({@link NotImplementedException}), several {@code Content-Length} fields,
 *     even equal ones, and a non-numeric or negative one (a {@code ProtocolException}), a status
 *     line that is not HTTP/1.x ({@link UnsupportedHttpVersionException}, {@link ParseException}).
 *     The client gets {@code 502}; the connection is closed.</li>
 * <li>HttpCore reads a body framed both ways by its chunks; {@link FramingReuseStrategy} closes its
 *     connection afterwards and {@link HeaderPolicy#toClient} drops the {@code Content-Length}.</li>
 * <li>HttpCore skips interim (1xx) responses and never presents one as the final response.</li>
 * <li>HttpCore's I/O reactor reads an idle pooled connection as bytes arrive: bytes beyond the end of
 *     a response find no request to answer, and the connection is closed ({@link RelayedExchange}
 *     resends a request that met such a connection).</li>
 * <li>An invalid chunk or a body cut short fails the body read: {@code 502} while nothing reached
 *     the client, else the client's connection is aborted ({@link Relay}).</li>
 * </ul>
 */
public final class BackendFailures {
    private static final Logger LOG = Logger.getLogger(BackendFailures.class.getName());

    private BackendFailures() {
    }

    /** No connection was made, so nothing was sent: the request may go to another address whatever its method. */
    public static boolean isConnectFailure(IOException e) {
        return e instanceof ConnectException || e instanceof ConnectTimeoutException
                || e instanceof NoRouteToHostException;
    }

    /**
     * Sent, but the connection failed before any response came (a reused connection the backend
     * had closed, or a backend that died): an idempotent request may go again. Neither a response
     * timeout (sending again would double the wait) nor a response the backend got wrong (it would
     * get it wrong again) is such a failure.
     */
    static boolean failedBeforeResponse(IOException e) {
        return !(e instanceof InterruptedIOException) && !(e instanceof ClientProtocolException);
    }

    public static ProxyError classify(IOException e, String backend) {
        if (e instanceof UnknownHostException) {
            return ProxyError.noSuchBackend(backend, e);
        }
        if (e instanceof AddressNotAllowedException) {
            return ProxyError.addressNotAllowed(e.getMessage());
        }
        if (e instanceof BackendUnresolvedException) {
            return new ProxyError(502, "dns", e.getMessage(), null);
        }
        if (e instanceof NoReadyAddressException) {
            return ProxyError.unavailable(e.getMessage(), 5);
        }
        if (e instanceof ConnectionRequestTimeoutException) {
            return new ProxyError(503, "pool_exhausted", "too many concurrent requests for backend " + backend, e);
        }
        if (e instanceof ConnectTimeoutException) {
            return new ProxyError(504, "connect_timeout", "backend " + backend + " did not accept a connection in time", e);
        }
        if (e instanceof InterruptedIOException) { // a SocketTimeoutException: no response in time
            return new ProxyError(504, "response_timeout", "backend " + backend + " did not respond in time", e);
        }
        if (e instanceof NoRouteToHostException) {
            return new ProxyError(502, "unreachable", "backend " + backend + " is unreachable", e);
        }
        if (e instanceof ConnectException) {
            return new ProxyError(502, "refused", "backend " + backend + " refused the connection", e);
        }
        if (e instanceof NoHttpResponseException || e instanceof SocketException) {
            // closed, or reset (closed with our request unread), before a byte of response
            return new ProxyError(502, "closed", "backend " + backend + " closed the connection before answering", e);
        }
        if (e instanceof MalformedChunkCodingException) {
            return new ProxyError(502, "invalid_response", "backend " + backend + " sent a malformed chunked body", e);
        }
        if (e instanceof ConnectionClosedException) {
            return new ProxyError(502, "closed", "backend " + backend
                    + " closed the connection before its response was complete", e);
        }
        if (e instanceof ClientProtocolException) {
            return new ProxyError(502, "invalid_response", "backend " + backend + " sent an invalid response: "
                    + protocolFault(e.getCause()), e);
        }
        return new ProxyError(502, "backend " + backend + " failed: " + e.getMessage(), e);
    }

    /**
     * What HttpCore's non-blocking side reports, as the {@link IOException}s this taxonomy knows.
     *
     * @param headSeen whether the backend's response head had come: a connection closed before it
     *                 is a backend that never answered (and the request may go again)
     */
    static IOException asIOException(Throwable cause, boolean headSeen) {
        if (!headSeen && (cause instanceof ConnectionClosedException || cause instanceof ConnectionShutdownException)) {
            return new NoHttpResponseException("the backend closed the connection before answering");
        }
        if (cause instanceof IOException io) {
            return io;
        }
        if (!headSeen && cause instanceof HttpException && String.valueOf(cause.getMessage()).startsWith("Unexpected response")) {
            // HttpCore found bytes after the end of the previous response on this pooled connection and
            // closed it: the fault is the earlier exchange's, and this request may go again.
            LOG.warning("a backend sent bytes after the end of its response; its connection is closed, not reused");
            return new NoHttpResponseException("the backend's connection carried bytes of an earlier response");
        }
        if (cause instanceof HttpException protocol) {
            return new ClientProtocolException(protocol.getMessage(), protocol);
        }
        if (cause instanceof TimeoutException) { // no pooled connection came free in time
            return new ConnectionRequestTimeoutException(cause.getMessage());
        }
        return new IOException(cause);
    }

    private static String protocolFault(Throwable cause) {
        if (cause instanceof NotImplementedException) {
            return "a transfer coding other than chunked";
        }
        if (cause instanceof UnsupportedHttpVersionException || cause instanceof ParseException) {
            return "not an HTTP/1.x status line";
        }
        if (cause instanceof MessageConstraintException) {
            return "its head is too large";
        }
        String message = cause == null ? null : cause.getMessage();
        if (message != null && message.toLowerCase(java.util.Locale.ROOT).contains("content length")) {
            return "an invalid or repeated Content-Length";
        }
        return message == null ? "a protocol error" : message;
    }
}
