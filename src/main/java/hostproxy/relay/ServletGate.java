package hostproxy.relay;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The way in to one exchange's servlet objects (request, response, their streams, the
 * {@code AsyncContext}) for every thread but the container's own request thread: one at a time,
 * and never once the exchange is over for the container.
 *
 * <p>Containers recycle these objects for later requests as soon as an exchange completes
 * (Tomcat reuses them for the next connection its processor takes). A backend I/O thread still
 * writing, reading or completing at that moment acts on someone else's exchange: it can complete
 * a new client's request, or close its connection, before anything was answered. The container
 * calls {@code AsyncListener.onComplete} before it recycles; there the gate is shut, after waiting
 * for whoever is inside, and nothing touches the objects again.
 */
final class ServletGate {
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean open = true; // written under lock
    /** What the holder runs once it has left (its outermost hold); guarded by lock. */
    private Runnable onLeave;

    /**
     * @return true, holding the gate, while the exchange's servlet objects may be used; the caller
     *         then {@link #leave()}s in a {@code finally}. False once the exchange is over.
     */
    boolean enter() {
        lock.lock();
        if (open) {
            return true;
        }
        lock.unlock();
        return false;
    }

    /** Whether the exchange was still open an instant ago: a hint, for a caller that must not wait here. */
    boolean isOpen() {
        return open;
    }

    /** Whether this thread is inside. */
    boolean heldHere() {
        return lock.isHeldByCurrentThread();
    }

    /** Runs {@code action} once this thread, inside now, has left for good: for calls that must not be made inside. */
    void afterLeaving(Runnable action) {
        assert lock.isHeldByCurrentThread();
        onLeave = action; // one kind of action only (ClientResponse's push): a second would replace it
    }

    void leave() {
        Runnable after = null;
        if (lock.getHoldCount() == 1) {
            after = onLeave;
            onLeave = null;
        }
        lock.unlock();
        if (after != null) {
            after.run();
        }
    }

    /** Shuts the gate for good, once the exchange was handed back to the container (or it ended it). */
    void shut() {
        lock.lock();
        try {
            open = false;
        } finally {
            lock.unlock();
        }
    }
}
