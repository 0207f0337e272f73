package hostproxy.relay;

import hostproxy.upstream.Endpoint;
import hostproxy.upstream.Upstreams;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.async.AsyncExecRuntime;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * One attempt at the backend: takes the response as the I/O reactor reads it and hands it on,
 * never blocking. The backend is read only as far as the client's side has made room
 * ({@link ResponseRoom}).
 */
final class BackendCall implements AsyncResponseConsumer<Void>, FutureCallback<Void> {
    /** Context attribute: the attempt, for {@link UpstreamClient} to hand it its runtime. */
    static final String CONTEXT = "hostproxy.call";

    /** Where the response goes. */
    interface Receiver {
        void informational(BackendCall call, HttpResponse response);

        /** @param entity {@code null} when the response has no body */
        void head(BackendCall call, HttpResponse response, EntityDetails entity);

        void data(BackendCall call, ByteBuffer src);

        /** @param trailers the response's trailer fields, as the backend sent them (none: empty) */
        void end(BackendCall call, List<? extends Header> trailers);

        /** The attempt failed, before or after its response head; called at most once. */
        void failed(BackendCall call, Exception cause);
    }

    private final Upstreams upstreams;
    private final Endpoint endpoint;
    private final Receiver receiver;
    private final AtomicBoolean over = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private final ResponseRoom room;
    private volatile boolean headSeen;
    private volatile Future<Void> future;
    private volatile AsyncExecRuntime runtime;
    /** Dropped, maybe before its future or runtime existed: they are dropped as they come. */
    private volatile boolean cancelled;
    /** Timed by {@link SilenceTimer} (an attempt over HTTP/2): only then is {@link #lastMoved} kept. */
    private volatile boolean timed;
    /** When a byte last went to or came from the backend; 0 before the request went out. */
    private volatile long lastMoved;
    /** The attempt's connection was given back or dropped: nothing of it is left to time. */
    private volatile boolean settled;
    private volatile ScheduledFuture<?> silenceCheck;

    BackendCall(Upstreams upstreams, Endpoint endpoint, Receiver receiver, ResponseRoom room) {
        this.upstreams = upstreams;
        this.endpoint = endpoint;
        this.receiver = receiver;
        this.room = room;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /**
     * The attempt is over for its address, once: counted only when the client has pooled (or closed)
     * its connection, so that an address that left DNS meanwhile has its idle connections closed then,
     * this one included. A failure, or dropping the attempt, counts at once.
     */
    void release() {
        if (released.compareAndSet(false, true)) {
            upstreams.finished(endpoint);
        }
    }

    boolean headSeen() {
        return headSeen;
    }

    /** Bytes of this attempt went to, or came from, the backend (noted only when timed: a write per chunk else). */
    void moved() {
        if (timed) {
            lastMoved = System.nanoTime() | 1; // never 0
        }
    }

    long lastMoved() {
        return lastMoved;
    }

    /**
     * Whether its connection was given back or dropped. Its response may be over before (a backend
     * that answered without reading the whole request): until then, silence still counts.
     */
    boolean settled() {
        return settled;
    }

    /**
     * The next silence check of this attempt, cancelled once it is settled (so that no finished
     * exchange waits in the timer). The first one makes the attempt timed.
     */
    void silenceCheck(ScheduledFuture<?> check) {
        timed = true;
        silenceCheck = check;
        if (settled) {
            check.cancel(false);
        }
    }

    private void settle() {
        settled = true;
        ScheduledFuture<?> check = silenceCheck;
        if (check != null) {
            check.cancel(false);
        }
    }

    /** Silent too long ({@link SilenceTimer}): fails as a socket timeout would, and is dropped with its connection. */
    void timedOut(IOException cause) {
        fail(cause);
        drop();
    }

    void started(Future<Void> future) {
        this.future = future;
        if (cancelled) {
            future.cancel(true); // dropped before it was under way
        }
    }

    /** The client's execution runtime of this attempt, which holds its connection once leased. */
    void runtime(AsyncExecRuntime runtime) {
        this.runtime = runtime;
        if (cancelled) {
            runtime.discardEndpoint();
        }
    }

    /** Drops this attempt and its connection (never returned to the pool half-read or half-sent), and releases it. */
    void drop() {
        cancelled = true;
        over.set(true);
        settle();
        AsyncExecRuntime r = runtime;
        if (r != null) {
            r.discardEndpoint();
        }
        Future<Void> f = future;
        if (f != null) {
            f.cancel(true);
        }
        release();
    }

    @Override
    public void informationResponse(HttpResponse response, HttpContext context) {
        moved();
        receiver.informational(this, response);
    }

    @Override
    public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context,
            FutureCallback<Void> done) {
        moved();
        headSeen = true;
        receiver.head(this, response, entity);
        if (entity == null) {
            finish(List.of());
            done.completed(null);
        }
    }

    @Override
    public void updateCapacity(CapacityChannel channel) {
        room.channel(channel, this::fail);
    }

    @Override
    public void consume(ByteBuffer src) {
        moved();
        if (!over.get()) {
            receiver.data(this, src);
        } else {
            src.position(src.limit());
        }
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) {
        finish(trailers == null ? List.of() : trailers);
    }

    private void finish(List<? extends Header> trailers) {
        if (over.compareAndSet(false, true)) {
            receiver.end(this, trailers);
        }
    }

    @Override
    public void failed(Exception cause) {
        fail(cause);
    }

    private void fail(Exception cause) {
        if (over.compareAndSet(false, true)) {
            receiver.failed(this, cause);
        }
    }

    /** Called by the client once it has released the attempt's connection (after the end of the response, or a failure). */
    @Override
    public void releaseResources() {
        settle();
        release();
    }

    // FutureCallback of the whole execution: connect and pool failures arrive only here.

    @Override
    public void completed(Void result) {
        finish(List.of()); // ended already, with its trailers, unless the response had no body
    }

    /** Cancelled by the client itself (it is closing), not by {@link #drop()}: the exchange hears of it as a failure. */
    @Override
    public void cancelled() {
        fail(new CancellationException("the backend call was cancelled"));
    }
}
