package hostproxy.relay;

import hostproxy.upstream.Endpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
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
 * ({@link CapacityChannel}): about 64 KiB ahead of the client.
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

        void end(BackendCall call);

        /** The attempt failed, before or after its response head; called at most once. */
        void failed(BackendCall call, Exception cause);

        /** The client is done with the attempt: its connection is back in the pool, or closed. */
        void released(BackendCall call);
    }

    private final Endpoint endpoint;
    private final Receiver receiver;
    private final AtomicBoolean over = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private CapacityChannel capacity; // guarded by this
    private int owed; // guarded by this
    private volatile boolean headSeen;
    private volatile Future<Void> future;
    private volatile AsyncExecRuntime runtime;
    /** Dropped, maybe before its future or runtime existed: they are dropped as they come. */
    private volatile boolean cancelled;

    BackendCall(Endpoint endpoint, Receiver receiver) {
        this.endpoint = endpoint;
        this.receiver = receiver;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** @return true the first time: the attempt's address is released once, whichever way it ended */
    boolean release() {
        return released.compareAndSet(false, true);
    }

    boolean headSeen() {
        return headSeen;
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

    /** Drops this attempt and its connection (never returned to the pool half-read or half-sent). */
    void cancel() {
        cancelled = true;
        over.set(true);
        AsyncExecRuntime r = runtime;
        if (r != null) {
            r.discardEndpoint();
        }
        Future<Void> f = future;
        if (f != null) {
            f.cancel(true);
        }
    }

    /**
     * The client's side took {@code bytes}: the backend may send as many more. HttpCore gives the
     * channel only once its initial window (64 KiB) is used up; room made before is owed to it then.
     */
    void room(int bytes) {
        CapacityChannel c;
        synchronized (this) {
            c = capacity;
            if (c == null) {
                owed += bytes;
                return;
            }
        }
        update(c, bytes);
    }

    private void update(CapacityChannel c, int bytes) {
        if (over.get()) {
            return;
        }
        try {
            c.update(bytes);
        } catch (IOException e) {
            fail(e);
        }
    }

    @Override
    public void informationResponse(HttpResponse response, HttpContext context) {
        receiver.informational(this, response);
    }

    @Override
    public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context,
            FutureCallback<Void> done) {
        headSeen = true;
        receiver.head(this, response, entity);
        if (entity == null) {
            finish();
            done.completed(null);
        }
    }

    @Override
    public void updateCapacity(CapacityChannel channel) {
        int due;
        synchronized (this) {
            capacity = channel;
            due = owed;
            owed = 0;
        }
        if (due > 0) {
            update(channel, due);
        }
    }

    @Override
    public void consume(ByteBuffer src) {
        if (!over.get()) {
            receiver.data(this, src);
        } else {
            src.position(src.limit());
        }
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) {
        finish();
    }

    private void finish() {
        if (over.compareAndSet(false, true)) {
            receiver.end(this);
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
        receiver.released(this);
    }

    // FutureCallback of the whole execution: connect and pool failures arrive only here.

    @Override
    public void completed(Void result) {
        finish();
    }

    /** Cancelled by the client itself (it is closing), not by {@link #cancel()}: the exchange hears of it as a failure. */
    @Override
    public void cancelled() {
        fail(new CancellationException("the backend call was cancelled"));
    }
}
