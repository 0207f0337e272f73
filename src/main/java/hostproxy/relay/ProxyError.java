package hostproxy.relay;

/**
 * Every failure of an exchange, as one value: the status to answer, the short reason the client
 * reads, and for the log the cause. It carries no stack trace; clients never see one either.
 */
public final class ProxyError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String kind;
    private final boolean backendFault;
    private int retryAfterSeconds;

    /** A request refused for what the client sent: answered, logged only at FINE. */
    public ProxyError(int status, String reason) {
        this(status, refusalKind(status), reason, null, false);
    }

    /** A backend that failed: answered, and logged at WARNING. */
    public ProxyError(int status, String reason, Throwable cause) {
        this(status, "failed", reason, cause, true);
    }

    /** A backend that failed in a way with a name of its own ({@code refused}, {@code response_timeout}). */
    ProxyError(int status, String kind, String reason, Throwable cause) {
        this(status, kind, reason, cause, true);
    }

    private ProxyError(int status, String kind, String reason, Throwable cause, boolean backendFault) {
        super(reason, cause, false, false);
        this.status = status;
        this.kind = kind;
        this.backendFault = backendFault;
    }

    private static String refusalKind(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_allowed";
            case 408 -> "client_timeout";
            case 508 -> "loop";
            default -> "refused_" + status / 100 + "xx";
        };
    }

    /**
     * What went wrong, as a short fixed word for metrics and the status page: {@code refused},
     * {@code unreachable}, {@code connect_timeout}, {@code response_timeout}, {@code closed},
     * {@code pool_exhausted}, {@code no_such_backend}, {@code dns}, {@code address_not_allowed},
     * {@code not_ready}, {@code failed};
     * for refused requests {@code bad_request}, {@code not_allowed}, {@code loop}; for a client cut
     * off by {@code clientIdleTimeout} {@code client_timeout}; beyond {@code maxExchanges} {@code overloaded}.
     */
    public String kind() {
        return kind;
    }

    /**
     * A name the client asked for that DNS does not know: a typo or a scan, not a backend fault.
     * Logged like a bad request, so that a flood of random names cannot flood the log.
     */
    static ProxyError noSuchBackend(String backend, Throwable cause) {
        return new ProxyError(502, "no_such_backend", "no backend named " + backend, cause, false);
    }

    /**
     * Every address DNS gives for a name built from the template is outside {@code backendNetworks}:
     * {@code 502}. Logged like a bad request: the operator hears of it once per name, when DNS says
     * so ({@code Backend}), and the client picked the name, so that a flood of requests for it cannot
     * flood the log.
     */
    static ProxyError addressNotAllowed(String reason) {
        return new ProxyError(502, "address_not_allowed", reason, null, false);
    }

    /**
     * Every address of a backend is out (active health checks): {@code 503} with
     * {@code Retry-After}, rather than a try that is known to fail.
     */
    public static ProxyError unavailable(String reason, int retryAfterSeconds) {
        ProxyError e = new ProxyError(503, "not_ready", reason, null, true);
        e.retryAfterSeconds = retryAfterSeconds;
        return e;
    }

    /**
     * {@code maxExchanges} reached: {@code 503} with {@code Retry-After: 1}, counted as
     * {@code overloaded}. No backend's fault, and logged only at FINE, so that a flood cannot
     * flood the log as well; the metric tells.
     */
    public static ProxyError overloaded(String reason) {
        ProxyError e = new ProxyError(503, "overloaded", reason, null, false);
        e.retryAfterSeconds = 1;
        return e;
    }

    /** {@code 408} (RFC 9110 §15.5.9): the client kept its request body waiting. */
    static ProxyError requestBodyTimeout() {
        return new ProxyError(408, "the request body did not arrive in time");
    }

    /** Seconds for a {@code Retry-After} header, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Whether an operator must hear of it: the backend, not the client, failed. */
    public boolean backendFault() {
        return backendFault;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return getMessage();
    }

    /** The reason and, when there is one, the underlying cause, for one log line. */
    public String logLine() {
        Throwable cause = getCause();
        return cause == null ? reason() : reason() + " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
    }
}
