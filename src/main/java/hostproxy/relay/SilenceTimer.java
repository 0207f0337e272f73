package hostproxy.relay;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.core5.pool.ConnPoolControl;
import org.apache.hc.core5.util.TimeValue;

/**
 * {@code responseTimeout} for attempts over HTTP/2. HttpClient 5.6 applies a request's response
 * timeout as its connection's socket timeout, but not on an HTTP/2 connection, whose streams could
 * share it ({@code InternalHttpAsyncExecRuntime}): a route's own {@code responseTimeout}, or a gRPC
 * call's {@code grpc-timeout}, would never apply. So an HTTP/2 connection has no socket timeout of
 * its own ({@link UpstreamClient}), and each attempt over one is timed here by the rule a socket
 * timeout follows: that long without a byte either way ends it as a timeout, until its connection
 * is given back or dropped (a response can end before its request has gone out whole: a stream stuck
 * that way is dropped too). Idle pooled connections, which a socket timeout would have closed, are
 * closed here after as long idle.
 */
final class SilenceTimer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SilenceTimer.class.getName());
    private final ScheduledThreadPoolExecutor timer;

    SilenceTimer(ConnPoolControl<?> pool, Duration idleBound) {
        timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "hostproxy-backend-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        long period = Math.max(1000, idleBound.toMillis() / 2);
        TimeValue idle = TimeValue.ofMilliseconds(idleBound.toMillis());
        timer.scheduleWithFixedDelay(() -> {
            try {
                pool.closeIdle(idle);
            } catch (RuntimeException e) { // one failure must not end the schedule
                LOG.log(Level.WARNING, "closing idle backend connections failed", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** Times the attempt from its first byte sent; it fails as a timeout after {@code timeout} without one. */
    void watch(BackendCall call, Duration timeout) {
        schedule(call, timeout.toNanos(), timeout.toNanos());
    }

    private void schedule(BackendCall call, long timeoutNanos, long delayNanos) {
        try {
            call.silenceCheck(timer.schedule(() -> check(call, timeoutNanos), delayNanos, TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException closing) {
            // hostproxy is stopping: every attempt is being dropped anyway
        }
    }

    private void check(BackendCall call, long timeoutNanos) {
        if (call.settled()) {
            return;
        }
        long moved = call.lastMoved();
        long silent = moved == 0 ? 0 : System.nanoTime() - moved; // 0: not sent yet (leasing, connecting: timed there)
        if (silent >= timeoutNanos) {
            call.timedOut(new SocketTimeoutException("no byte from or to the backend in "
                    + Duration.ofNanos(timeoutNanos).toMillis() + " ms"));
        } else {
            schedule(call, timeoutNanos, timeoutNanos - silent);
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
