package hostproxy.relay;

import hostproxy.container.ServletReentry;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The client's side of the response: bytes the backend sent wait in a short queue until the
 * client's connection takes them, written without blocking ({@link WriteListener}). Each write makes
 * room for as many bytes from the backend ({@link ResponseRoom}), so a slow client slows the backend
 * read and the queue stays short. A write that empties the queue is flushed, so that each event of a
 * stream reaches the client when the backend sends it.
 *
 * <p>Container callbacks and backend I/O threads both call {@link #drain()}; one runs it at a time
 * and it runs again when asked meanwhile, so that writes never overlap and no signal is lost. It
 * runs inside the exchange's {@link ServletGate}, and not at all once the exchange is over.
 *
 * <p>For a request without a body on Tomcat's HTTP/1.1 connector, the write listener is set only
 * when the first bytes (or the end) are there to write, on the thread that has them. Tomcat runs
 * what a listener set off a container thread triggers on that thread at once: the first
 * {@code onWritePossible}, and the completion of a response written there. Set early, the response is
 * written off a container thread and {@code complete()} has Tomcat wake one of its threads to end the
 * exchange: one thread hand-off more per exchange (measured in {@code docs/performance.md}). Not with
 * a request body: completing ends the request too, and Tomcat would read what is left of the body,
 * blocking, on the backend I/O thread. Nor elsewhere: HTTP/2 streams, Jetty and Undertow hand that
 * first call to a thread of their own, so nothing would be gained.
 */
final class ClientResponse implements WriteListener {
    private static final Logger LOG = Logger.getLogger(ClientResponse.class.getName());

    /** What a finished drain leaves the exchange to do. */
    interface Events {
        /** The whole response reached the client's connection. */
        void completed();

        /** The client went away, or its connection failed. */
        void clientGone(Throwable cause);

        /** The backend failed after the response began; all it sent went out: the client's connection is dropped. */
        void brokenOff(long bytesReceived, Throwable cause);
    }

    /** Whether the write listener is set: not yet, being set (its first call has not come), set. */
    private enum Listener { UNSET, SETTING, SET }

    /**
     * A body this big is written through a response buffer of {@link #BIG_BUFFER} bytes (Tomcat's is
     * 8 KiB), so that each flush reaches the client's connection in one system call where the
     * connector's socket buffer is as big (the project's {@code server.xml}): a quarter less CPU per
     * 1 MiB download (docs/performance.md). Smaller bodies and streams keep the container's buffer.
     */
    private static final long BIG_BODY = 128 * 1024;
    private static final int BIG_BUFFER = 32 * 1024;
    private final HttpServletResponse response;
    private final ServletGate gate;
    private final Events events;
    private final ClientWait wait;
    private final ResponseRoom room;
    private final Queue<ByteBuffer> chunks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicReference<Listener> listener = new AtomicReference<>(Listener.UNSET);
    private volatile ServletOutputStream out;
    /** The body's length as the backend declared it ({@code Content-Length}), or -1. */
    private volatile long declaredLength = -1;
    private volatile boolean headReady;
    private volatile Runnable pendingHead;
    private volatile boolean ended;
    private volatile Throwable backendFailure;
    private volatile boolean done;
    /** Bytes written since the last flush: they wait in the container's response buffer. */
    private int buffered;
    private int bufferSize;
    /** Body bytes the backend sent: counted on its I/O thread, read when it broke off. */
    private volatile long received;
    /** An error answer replaced the backend's response. */
    private boolean replaced; // guarded by this

    ClientResponse(HttpServletResponse response, ServletGate gate, Events events, ClientWait wait, ResponseRoom room) {
        this.response = response;
        this.gate = gate;
        this.events = events;
        this.wait = wait;
        this.room = room;
    }

    /**
     * Takes the client's output stream, on the container's thread, and sets its listener now, or
     * with the first bytes to write ({@link #push()}): late where the class comment says it saves a hand-off.
     */
    void open(boolean listenLate) throws IOException {
        out = response.getOutputStream();
        bufferSize = bufferSize();
        if (!listenLate) {
            listener.set(Listener.SET);
            out.setWriteListener(this);
        }
    }

    /**
     * The backend's status and headers, set on the response only when its first body byte (or its
     * end) is written: a backend that fails before can still be answered with a clean error, with
     * no head to take back (Tomcat 10.1's {@code reset()} would drop the write listener too).
     */
    void headReady(long contentLength, Runnable applyHead) {
        declaredLength = contentLength;
        pendingHead = applyHead;
        headReady = true;
        drain(); // nothing goes out before the first body byte, or the end, pushes it
    }

    private void applyHead() {
        Runnable apply = pendingHead;
        if (apply != null) {
            pendingHead = null;
            if (declaredLength >= BIG_BODY && bufferSize < BIG_BUFFER && !response.isCommitted()) {
                response.setBufferSize(BIG_BUFFER); // before the first byte of the body, as the API asks
                bufferSize = bufferSize();
            }
            apply.run();
        }
    }

    /** The backend's body bytes, copied (the caller's buffer is reused); none once an error answer replaced them. */
    void offer(ByteBuffer src) {
        ByteBuffer copy = ByteBuffer.allocate(src.remaining());
        copy.put(src).flip();
        synchronized (this) { // with answerInstead: no backend byte slips in after the error text
            if (replaced) {
                return;
            }
            received += copy.remaining();
            chunks.add(copy);
        }
        if (received == declaredLength) {
            drain(); // the whole body is here: end() follows on this thread and pushes it all at once
        } else {
            push();
        }
    }

    /**
     * An error answer, whose status and headers are set already, takes the place of the backend's
     * response, none of which has begun: its head and any of its bytes still waiting are dropped,
     * later ones go nowhere, and the answer's body is the whole response.
     */
    void answerInstead(byte[] body) {
        synchronized (this) {
            replaced = true;
            chunks.clear();
            chunks.add(ByteBuffer.wrap(body));
            pendingHead = null;
            headReady = true;
            ended = true;
        }
        push();
    }

    /** The body is complete: the response completes once the client's connection has taken it. */
    void end() {
        ended = true;
        push();
    }

    /** The backend failed after some of its response went out: what it sent is passed on, then the connection dropped. */
    void backendFailed(Throwable cause) {
        backendFailure = cause;
        push();
    }

    /** The exchange is over for a reason found elsewhere: nothing more is written. */
    void stop() {
        done = true;
    }

    @Override
    public void onWritePossible() {
        listener.set(Listener.SET);
        wait.writeProgressed();
        drain();
    }

    @Override
    public void onError(Throwable t) {
        gone(t);
    }

    /**
     * There is something to write: drains, or first sets the write listener, whose first
     * {@code onWritePossible} drains everything offered until then. Never set inside the gate: on
     * Tomcat it takes the connection's lock, which a container thread may hold while it waits at the
     * gate. A call that finds the exchange over meanwhile fails on the container's discarded objects
     * (Tomcat's default, {@code discardFacades}), or finds the gate shut, and writes nothing.
     */
    private void push() {
        if (done) {
            return; // nothing more goes out: the exchange is being handed back
        }
        if (listener.get() == Listener.SET) {
            drain();
            return;
        }
        if (gate.heldHere()) {
            gate.afterLeaving(this::push);
            return;
        }
        if (!listener.compareAndSet(Listener.UNSET, Listener.SETTING) || !gate.isOpen()) {
            return; // being set, and its first call drains what is here; or the exchange is over
        }
        wait.writeBlocked(); // until the first onWritePossible: a client that never takes a byte is timed too
        ServletReentry.guard(() -> {
            try {
                out.setWriteListener(this);
            } catch (RuntimeException e) {
                gone(e);
            }
        });
    }

    /** Writes what can be written now; nothing before the write listener's first call. */
    void drain() {
        if (listener.get() != Listener.SET) {
            return;
        }
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            if (gate.enter()) {
                try {
                    drainOnce();
                } catch (IOException | RuntimeException e) {
                    gone(e);
                } finally {
                    gate.leave();
                }
            }
        } while (wip.decrementAndGet() != 0);
    }

    private void drainOnce() throws IOException {
        if (done || !headReady || out == null) {
            return;
        }
        // Read before the queue: the end (or the failure) is marked after the last chunk is queued, so
        // every chunk is in the queue by now. Read after it, the end could come with a chunk this pass
        // no longer sees, and the response complete without it.
        boolean endOffered = ended;
        Throwable failure = backendFailure;
        int written = 0;
        try {
            for (ByteBuffer b = chunks.peek(); b != null; b = chunks.peek()) {
                if (!ready()) {
                    return;
                }
                applyHead();
                if (buffered == bufferSize) {
                    flush();
                    if (!ready()) {
                        return;
                    }
                }
                // No write beyond what the response buffer holds: one that overflows it leaves its tail
                // in Tomcat's socket buffer, and isReady() stays false until the poller has handed a
                // container thread that tail to write: a hand-off per chunk. Flushed when full, the
                // buffer goes out on this thread while the client's connection takes it.
                int n = Math.min(b.remaining(), bufferSize - buffered);
                out.write(b.array(), b.arrayOffset() + b.position(), n);
                b.position(b.position() + n);
                if (!b.hasRemaining()) {
                    chunks.poll();
                }
                written += n;
                buffered += n;
            }
        } finally {
            if (written > 0) {
                room.made(written);
            }
        }
        if (failure != null) {
            brokenOff(failure);
            return;
        }
        if (endOffered) {
            if (ready()) { // the last write has left: completing now cannot cut it
                applyHead();
                done = true;
                events.completed();
            }
            return;
        }
        if (buffered > 0 && ready()) {
            flush();
        }
    }

    /** What the response buffer holds; writes never go beyond it between two flushes. */
    private int bufferSize() {
        int size = response.getBufferSize();
        return size > 0 ? size : Integer.MAX_VALUE; // no buffer: each write goes out as it is
    }

    private void flush() throws IOException {
        buffered = 0;
        out.flush();
    }

    /** Whether the client's connection takes bytes now; if not, the wait on the client is timed. */
    private boolean ready() {
        if (out.isReady()) {
            wait.writeProgressed();
            return true;
        }
        wait.writeBlocked();
        return false;
    }

    /** Whether any of the response went to the client (its head was applied): an error answer is too late. */
    boolean begun() {
        return headReady && pendingHead == null;
    }

    /**
     * The backend failed after its response began ({@link RelayedExchange} answers with an error
     * instead while none had). What came is passed on and committed, then the connection is dropped:
     * a response the container has not committed would be replaced by its own error page.
     */
    private void brokenOff(Throwable failure) throws IOException {
        if (buffered > 0 || !response.isCommitted()) {
            if (!ready()) {
                return;
            }
            flush();
            if (!ready()) {
                return; // back here when the flush has left
            }
        }
        done = true;
        events.brokenOff(received, failure);
    }

    private void gone(Throwable cause) {
        if (done) {
            return;
        }
        done = true;
        LOG.fine(() -> "client went away during the response: " + cause);
        events.clientGone(cause);
    }
}
