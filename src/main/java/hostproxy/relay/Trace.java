package hostproxy.relay;

import hostproxy.upstream.Endpoint;

/**
 * What the relay noted of one exchange, for metrics and the access log: the backend name that
 * resolved, the address that answered (or was tried last), the retries, the upstream time (from
 * the first attempt to the backend's response head), and a gRPC call's status. Written as the
 * exchange moves on, one step at a time, by whichever thread moves it.
 */
public final class Trace {
    private volatile String backend;
    private volatile String address;
    private volatile int retries;
    private volatile long firstAttemptNanos;
    private volatile long upstreamNanos = -1;
    private volatile String grpcStatus;

    /** The backend name, once DNS knew it; {@code null} before (or when it never did). */
    public String backend() {
        return backend;
    }

    /** The address of the last attempt, or {@code null} when none was made. */
    public String address() {
        return address;
    }

    public int retries() {
        return retries;
    }

    /** Nanoseconds from the first attempt to the response head, or -1 when no response came. */
    public long upstreamNanos() {
        return upstreamNanos;
    }

    /** The {@code grpc-status} the client was given (the backend's, or hostproxy's own), or {@code null}: none. */
    public String grpcStatus() {
        return grpcStatus;
    }

    /** Noted by whoever gives the client a {@code grpc-status}: the backend's trailers or head, or an error answer. */
    public void grpcStatus(String code) {
        grpcStatus = code;
    }

    void resolved(String name) {
        backend = name;
    }

    void attempt(Endpoint endpoint) {
        address = endpoint.address().getHostAddress();
        if (firstAttemptNanos == 0) {
            firstAttemptNanos = System.nanoTime();
        }
    }

    void retried() {
        retries++;
    }

    void responded() {
        upstreamNanos = System.nanoTime() - firstAttemptNanos;
    }
}
