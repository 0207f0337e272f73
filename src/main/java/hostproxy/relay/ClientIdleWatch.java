package hostproxy.relay;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code clientIdleTimeout}: a client that keeps an exchange waiting that long (sends none of its
 * body, or takes none of its response) is cut off, so that slow or stalled clients cannot hold
 * exchanges, backend connections and buffers without end. Once no thread waits for a client, the
 * container's socket timeouts no longer do this. One daemon thread looks over the open exchanges a
 * few times per timeout.
 */
final class ClientIdleWatch implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClientIdleWatch.class.getName());

    /** What is cut off. */
    interface Watched {
        ClientWait clientWait();

        /** Called once, on the watch's thread, when the client waited on has been idle too long. */
        void clientIdle(Duration idle);
    }

    private final long timeoutNanos;
    private final Duration timeout;
    private final Set<Watched> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;

    ClientIdleWatch(Duration timeout) {
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "hostproxy-client-idle");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, Math.min(1000, timeout.toMillis() / 4));
        timer.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    void watch(Watched exchange) {
        open.add(exchange);
    }

    void unwatch(Watched exchange) {
        open.remove(exchange);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Watched e : open) {
            if (e.clientWait().waitedNanos(now) >= timeoutNanos && open.remove(e)) {
                try {
                    e.clientIdle(timeout);
                } catch (RuntimeException failure) {
                    // one exchange's fault must not stop the watch over the others
                    LOG.log(Level.WARNING, "cutting off an idle client failed", failure);
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
