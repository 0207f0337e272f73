package hostproxy.relay;

/** Where one relayed exchange is ({@link RelayedExchange}); it only moves forward. */
enum ExchangePhase {
    /** Going asynchronous; the first attempt waits for the end of set-up (or the body's first read). */
    SETTING_UP,
    /** Attempts at the backend's addresses, none of which has answered yet. */
    ATTEMPTING,
    /** A backend's response head came: its response is relayed, no other attempt follows. */
    RESPONDING,
    /** An error answer of the proxy's is on its way: the backend's side is stopped. */
    ANSWERING,
    /** Handed back to the container (completed, or its connection dropped), and counted. */
    OVER;

    /** Whether what the backend sends still goes anywhere: not once answered instead, nor once over. */
    boolean relaying() {
        return compareTo(ANSWERING) < 0;
    }
}
