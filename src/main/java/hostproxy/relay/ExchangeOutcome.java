package hostproxy.relay;

/**
 * What the servlet does at the edges of one relayed exchange: answer an error the way clients of
 * this proxy get errors, and count the exchange once it is over.
 */
public interface ExchangeOutcome {
    /**
     * Sets the error's status and headers on the response (not committed yet) and logs it.
     *
     * @return the body to send
     */
    byte[] errorAnswer(ProxyError error);

    /**
     * The exchange is over, just before its response completes: called exactly once.
     *
     * @param failure the kind of failure ({@code aborted}, a {@link ProxyError#kind()}), or {@code null}
     */
    void ended(String failure);
}
