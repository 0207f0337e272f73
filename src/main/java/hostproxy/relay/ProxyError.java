package hostproxy.relay;

/**
 * Every failure of an exchange, as one value: the status to answer, the short reason the client
 * reads, and for the log the cause. It carries no stack trace; clients never see one either.
 */
public final class ProxyError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ProxyError(int status, String reason) {
        this(status, reason, null);
    }

    public ProxyError(int status, String reason, Throwable cause) {
        super(reason, cause, false, false);
        this.status = status;
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
