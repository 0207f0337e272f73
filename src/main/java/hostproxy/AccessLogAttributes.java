package hostproxy;

import hostproxy.relay.Exchange;
import hostproxy.relay.Trace;
import jakarta.servlet.ServletRequest;

/**
 * Request attributes the container's own access log can print (Tomcat's {@code AccessLogValve}
 * {@code %{hostproxy.backendAddress}r}, Jetty's {@code CustomRequestLog} {@code %{hostproxy.backendAddress}attr}):
 * see {@code conf/tomcat/access-log.xml}. An attribute is absent ({@code -} in the log) when it does not apply.
 */
final class AccessLogAttributes {
    static final String REQUEST_ID = "hostproxy.requestId";
    static final String BACKEND = "hostproxy.backend";
    static final String BACKEND_ADDRESS = "hostproxy.backendAddress";
    static final String UPSTREAM_MILLIS = "hostproxy.upstreamMillis";
    static final String RETRIES = "hostproxy.retries";
    static final String ERROR = "hostproxy.error";
    static final String GRPC_STATUS = "hostproxy.grpcStatus";

    private AccessLogAttributes() {
    }

    /** @param failure the exchange's failure kind ({@code refused}, {@code address_not_allowed} ...), or {@code null} */
    static void set(ServletRequest request, Exchange exchange, String failure) {
        Trace t = exchange.trace();
        request.setAttribute(REQUEST_ID, exchange.requestId());
        if (t.backend() != null) {
            request.setAttribute(BACKEND, t.backend());
        }
        if (t.address() != null) {
            request.setAttribute(BACKEND_ADDRESS, t.address());
        }
        if (t.upstreamNanos() >= 0) {
            request.setAttribute(UPSTREAM_MILLIS, Long.toString(t.upstreamNanos() / 1_000_000));
        }
        request.setAttribute(RETRIES, Integer.toString(t.retries()));
        if (failure != null) {
            request.setAttribute(ERROR, failure);
        }
        if (t.grpcStatus() != null) {
            request.setAttribute(GRPC_STATUS, t.grpcStatus());
        }
    }
}
