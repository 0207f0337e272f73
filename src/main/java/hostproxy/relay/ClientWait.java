package hostproxy.relay;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How long one exchange has been waiting on its client: for body bytes it could take, or for the
 * client's connection to take the response. Waiting on the backend does not count, nor does a
 * client that sends nothing while its response flows.
 */
final class ClientWait {
    /** Since when the body waits on the client, or 0; set from the container's and the reactor's threads. */
    private final AtomicLong readingSince = new AtomicLong();
    private volatile long writingSince;

    /** The client has sent nothing more, though there is room for it. */
    void readBlocked() {
        readingSince.compareAndSet(0, System.nanoTime() | 1); // never 0
    }

    /**
     * The backend sent response bytes for the client. A client that sends nothing more meanwhile is
     * not stalled: in a full-duplex stream (gRPC's bidirectional calls) it may be waiting for them.
     * Its wait starts again; a stream idle both ways is still cut off.
     */
    void responseFlowed() {
        long since = readingSince.get();
        if (since != 0) {
            readingSince.compareAndSet(since, System.nanoTime() | 1); // not if the body came meanwhile
        }
    }

    /** The client sent body bytes, or its body is complete. */
    void readProgressed() {
        readingSince.set(0);
    }

    /** The client's connection takes no more bytes for now. */
    void writeBlocked() {
        if (writingSince == 0) {
            writingSince = System.nanoTime() | 1;
        }
    }

    /** The client's connection took bytes. */
    void writeProgressed() {
        writingSince = 0;
    }

    /** Nanoseconds waited on the client so far (the longer wait of the two), 0 when not waiting. */
    long waitedNanos(long now) {
        long r = readingSince.get();
        long w = writingSince;
        return Math.max(r == 0 ? 0 : now - r, w == 0 ? 0 : now - w);
    }

    /** Whether the wait is on the request body (so no response has begun because of it). */
    boolean onRequestBody() {
        return readingSince.get() != 0;
    }
}
