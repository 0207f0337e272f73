package hostproxy.relay;

/**
 * How one relayed exchange ends. Every way the relay learns that an exchange is over (the client's
 * side, the backend's, the container, the idle watch) is translated into one of these and handed to
 * {@link RelayedExchange}, which ends it in one place.
 */
sealed interface Ending {
    /** The response (the backend's, or an error answer) reached the client whole. */
    record Complete() implements Ending {
    }

    /** The client went away, or its connection failed: nothing more can reach it. */
    record ClientGone(Throwable cause) implements Ending {
    }

    /**
     * The exchange failed with {@code error}: the client is answered with it while none of the
     * backend's response has reached the container, else its connection is dropped (a response
     * broken off must not look whole, RFC 9112 §8).
     *
     * @param brokeOff when the backend failed after its response head: what it sent is passed on
     *                 before the connection is dropped; {@code null} for any other failure
     */
    record Fail(ProxyError error, Throwable brokeOff) implements Ending {
        Fail(ProxyError error) {
            this(error, null);
        }
    }

    /** The client's connection is dropped at once, the response left incomplete; counted as {@code kind}. */
    record Drop(String kind, String reason) implements Ending {
    }
}
