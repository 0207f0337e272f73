package hostproxy.relay;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import hostproxy.upstream.BackendUnresolvedException;
import hostproxy.upstream.NoReadyAddressException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.NoHttpResponseException;

/** Maps why a backend exchange failed, before any response byte was relayed, to a status and reason. */
final class BackendFailures {
    private BackendFailures() {
    }

    /** No connection was made, so nothing was sent: the request may go to another address whatever its method. */
    static boolean isConnectFailure(IOException e) {
        return e instanceof ConnectException || e instanceof ConnectTimeoutException
                || e instanceof NoRouteToHostException;
    }

    /**
     * Sent, but the connection failed before any response came (a reused connection the backend
     * had closed, or a backend that died): an idempotent request may go again. A response timeout
     * is not such a failure: sending again would double the wait.
     */
    static boolean failedBeforeResponse(IOException e) {
        return !(e instanceof InterruptedIOException);
    }

    static ProxyError classify(IOException e, String backend) {
        if (e instanceof UnknownHostException) {
            return ProxyError.noSuchBackend(backend, e);
        }
        if (e instanceof BackendUnresolvedException) {
            return new ProxyError(502, "dns", e.getMessage(), null);
        }
        if (e instanceof NoReadyAddressException) {
            return new ProxyError(503, "not_ready", e.getMessage(), null);
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
        if (e instanceof NoHttpResponseException) {
            return new ProxyError(502, "closed", "backend " + backend + " closed the connection without a response", e);
        }
        return new ProxyError(502, "backend " + backend + " failed", e);
    }
}
