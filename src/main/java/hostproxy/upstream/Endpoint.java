package hostproxy.upstream;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One address of a backend name, with its passive health: a connect failure marks it down for a
 * back-off that doubles from 1 s to 30 s and is reset by a success.
 */
public final class Endpoint {
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final InetAddress address;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean retired;
    // health: guarded by this
    private long downSinceNanos;
    private long downUntilNanos;
    private long backoffNanos;
    private String lastFailure;

    Endpoint(InetAddress address) {
        this.address = address;
    }

    public InetAddress address() {
        return address;
    }

    int inFlight() {
        return inFlight.get();
    }

    /** An exchange with this address starts; {@link Upstreams#finished} ends it. */
    public void begin() {
        inFlight.incrementAndGet();
    }

    /** @return whether this address has left DNS (its connection, now idle, should be closed) */
    boolean end() {
        inFlight.decrementAndGet();
        return retired;
    }

    /** The address left DNS: no new request goes to it; exchanges in flight finish. */
    void retire() {
        retired = true;
    }

    synchronized boolean isUp(long nowNanos) {
        return nowNanos - downUntilNanos >= 0;
    }

    synchronized long downSinceNanos() {
        return downSinceNanos;
    }

    /** @return whether the address was up until now */
    synchronized boolean connectFailed(long nowNanos, String why) {
        boolean wasUp = backoffNanos == 0;
        backoffNanos = wasUp ? FIRST_BACKOFF.toNanos() : Math.min(MAX_BACKOFF.toNanos(), backoffNanos * 2);
        if (isUp(nowNanos)) {
            downSinceNanos = nowNanos;
        }
        downUntilNanos = nowNanos + backoffNanos;
        lastFailure = why;
        return wasUp;
    }

    /** @return whether the address had been failing until now */
    synchronized boolean succeeded() {
        if (backoffNanos == 0) {
            return false;
        }
        backoffNanos = 0;
        downUntilNanos = 0;
        lastFailure = null;
        return true;
    }

    /** e.g. {@code 10.0.1.7 up, 3 in flight} or {@code 10.0.1.8 down 4s more (Connection refused)}. */
    synchronized String describe(long nowNanos) {
        String host = address.getHostAddress();
        if (isUp(nowNanos)) {
            return host + " up, " + inFlight.get() + " in flight";
        }
        long seconds = Math.max(1, (downUntilNanos - nowNanos) / 1_000_000_000L);
        return host + " down " + seconds + "s more (" + lastFailure + ")";
    }
}
