package hostproxy.admin;

import java.util.Locale;

/** Where the proxy is in its life, as {@code /readyz} and the status page report it; it only moves forward. */
public enum ProxyPhase {
    /** Deployed; the servlet has not taken a request yet. */
    STARTING,
    /** The servlet takes requests: {@code /readyz} answers 200. */
    READY,
    /** Stopping: {@code /readyz} answers 503 while exchanges in flight finish. */
    DRAINING;

    /** As shown: {@code starting}, {@code ready}, {@code draining}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
