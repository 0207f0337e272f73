package hostproxy.upstream;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One address of a backend name, with its passive health: a connect failure marks it down for a
 * back-off that doubles from 1 s to 30 s and is reset by a success. With active health checks on,
 * it also has a readiness: a new address is not ready until its first check passes, and
 * {@code healthCheckFall} failed checks in a row eject it until {@code healthCheckRise} pass.
 */
public final class Endpoint {
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** Whether active health checks let an address take traffic. */
    public enum Readiness {
        /** Takes traffic: checks are off, or the last checks passed. */
        READY,
        /** Checked, but no check has passed yet. */
        NOT_READY,
        /** Was ready, then failed {@code healthCheckFall} checks in a row. */
        EJECTED
    }

    private final InetAddress address;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean retired;
    private volatile Readiness readiness;
    private volatile boolean checkedOnce;
    private volatile String lastCheck;
    // consecutive check results: guarded by this
    private int passes;
    private int fails;
    // health: guarded by this
    private long downSinceNanos;
    private long downUntilNanos;
    private long backoffNanos;
    private String lastFailure;

    Endpoint(InetAddress address) {
        this(address, false);
    }

    /** @param checked whether active health checks decide readiness (then it starts not ready) */
    Endpoint(InetAddress address, boolean checked) {
        this.address = address;
        this.readiness = checked ? Readiness.NOT_READY : Readiness.READY;
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

    boolean isReady() {
        return readiness == Readiness.READY;
    }

    Readiness readiness() {
        return readiness;
    }

    /** Whether at least one health check has finished (passed or failed). */
    boolean checkedOnce() {
        return checkedOnce;
    }

    boolean retired() {
        return retired;
    }

    /** What the last health check saw ({@code 200}, {@code Connection refused}), or {@code null}. */
    String lastCheck() {
        return lastCheck;
    }

    /**
     * A health check finished.
     *
     * @return the readiness before, when this check changed it; else {@code null}
     */
    synchronized Readiness checked(boolean passed, String detail, int fall, int rise) {
        Readiness before = readiness;
        lastCheck = detail;
        if (passed) {
            fails = 0;
            passes++;
            if (before == Readiness.NOT_READY || (before == Readiness.EJECTED && passes >= rise)) {
                readiness = Readiness.READY;
            }
        } else {
            passes = 0;
            fails++;
            if (before == Readiness.READY && fails >= fall) {
                readiness = Readiness.EJECTED;
            }
        }
        checkedOnce = true;
        return readiness != before ? before : null;
    }

    /**
     * For a status page: {@code healthy}, {@code failing}, {@code not ready} or {@code ejected}. An
     * address stays failing from a connect failure until a connect succeeds: the end of its back-off
     * only lets one request try it again, which says nothing yet about its health.
     */
    String state() {
        return switch (readiness) {
            case NOT_READY -> "not ready";
            case EJECTED -> "ejected";
            case READY -> failing() ? "failing" : "healthy";
        };
    }

    /** Whether the last connect to this address failed (and none has succeeded since). */
    synchronized boolean failing() {
        return backoffNanos != 0;
    }

    /** The last connect failure, while the address is failing. */
    synchronized String lastFailure() {
        return lastFailure;
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
        if (readiness != Readiness.READY) {
            return host + " " + state() + " (health check: " + lastCheck + ")";
        }
        if (isUp(nowNanos)) {
            return host + " up, " + inFlight.get() + " in flight";
        }
        long seconds = Math.max(1, (downUntilNanos - nowNanos) / 1_000_000_000L);
        return host + " down " + seconds + "s more (" + lastFailure + ")";
    }
}
