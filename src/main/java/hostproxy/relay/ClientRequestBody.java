package hostproxy.relay;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;

/**
 * The client's request body on its way to the backend. It is read without blocking
 * ({@link ReadListener}) while fewer than {@value #WINDOW} bytes wait for the backend's connection;
 * each write to the backend makes room and reading goes on, so a slow backend slows the client's
 * upload and a fast one is fed as the bytes arrive.
 *
 * <p>The container's callbacks and the backend's I/O thread both call {@link #pull()}; one runs it
 * at a time, and it runs again when asked meanwhile.
 */
final class ClientRequestBody implements ReadListener {
    static final int WINDOW = 64 * 1024;
    private static final int READ_SIZE = 16 * 1024;

    /** What the body tells the exchange. */
    interface Events {
        /** Known from the first read: whether an HTTP/2 body without length is empty after all. */
        void bodyKnown(boolean empty);

        /** The body broke off: the client went away, sent less than its Content-Length, or framed it badly. */
        void bodyFailed(Throwable cause);

        /** A body of unknown length passed {@code maxBodySize}. */
        void tooLarge(long limit);
    }

    private final ClientBody body;
    private final Events events;
    private final ClientWait wait;
    private final ServletGate gate;
    /** Read from the client, not yet written to the backend: the container's threads add, the backend's I/O thread takes. */
    private final Queue<ByteBuffer> chunks;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger wip = new AtomicInteger();
    private final byte[] buffer = new byte[READ_SIZE];
    private volatile boolean eof;
    private volatile boolean failed;
    /** The channel of the attempt now sending the body, told when more can go; none before its first write. */
    private final AtomicReference<DataStreamChannel> channel = new AtomicReference<>();
    private volatile boolean sent;
    /** The request's trailer fields, taken on the container's thread once the body ended; sent with its end. */
    private volatile List<Header> trailers = List.of();
    private long received;
    private boolean known;

    ClientRequestBody(ClientBody body, ServletGate gate, Events events, ClientWait wait) {
        this(body, gate, events, wait, new ConcurrentLinkedQueue<>());
    }

    /** @param chunks the queue between the two sides (a test's, to act at the moment the I/O thread looks at it) */
    ClientRequestBody(ClientBody body, ServletGate gate, Events events, ClientWait wait, Queue<ByteBuffer> chunks) {
        this.chunks = chunks;
        this.body = body;
        this.gate = gate;
        this.events = events;
        this.wait = wait;
    }

    /**
     * Starts reading, on the container's thread: what has arrived is read at once (Tomcat calls no
     * listener for an HTTP/2 stream that ended with its headers), the rest as it comes.
     */
    void listen() {
        body.stream().setReadListener(this);
        pull();
    }

    @Override
    public void onDataAvailable() {
        pull();
    }

    @Override
    public void onAllDataRead() {
        pull();
    }

    @Override
    public void onError(Throwable t) {
        fail(t);
    }

    /** Whether the whole body went out to the backend. */
    boolean sent() {
        return sent;
    }

    /** Stops reading, and sending: the exchange is over; a body under way is cut off at the backend. */
    void stop() {
        failed = true;
        DataStreamChannel c = channel.get();
        if (c != null) {
            c.requestOutput();
        }
    }

    void pull() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            if (gate.enter()) { // never once the exchange is over: the stream may be another request's by then
                try {
                    readWhileRoom();
                } finally {
                    gate.leave();
                }
            }
        } while (wip.decrementAndGet() != 0);
    }

    private void readWhileRoom() {
        ServletInputStream in = body.stream();
        try {
            while (!eof && !failed && queued.get() < WINDOW && in.isReady()) {
                int n = in.read(buffer);
                if (n < 0) {
                    ended();
                } else if (n > 0) {
                    wait.readProgressed();
                    received += n;
                    if (body.limit() >= 0 && received > body.limit()) {
                        // The exchange answers 413 first; only then is the body cut off (stop()),
                        // or the backend's connection failing could be answered 502 before it.
                        events.tooLarge(body.limit());
                        stop();
                        return;
                    }
                    queued.addAndGet(n);
                    chunks.add(ByteBuffer.wrap(Arrays.copyOf(buffer, n)));
                }
            }
            if (!eof && !failed && in.isFinished()) {
                ended();
            }
            if (eof || failed) {
                wait.readProgressed();
            } else if (queued.get() < WINDOW) {
                wait.readBlocked(); // room, but the client sent nothing more (isReady() said no)
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
            return;
        }
        if (failed) {
            return;
        }
        if (eof && body.length() >= 0 && received < body.length()) {
            fail(new IOException("the client sent " + received + " of " + body.length() + " body bytes"));
            return;
        }
        if (!known && (eof || received > 0)) {
            known = true;
            events.bodyKnown(received == 0);
        }
        DataStreamChannel c = channel.get();
        if (c != null && (eof || queued.get() > 0)) {
            c.requestOutput();
        }
    }

    /** The body ended: its trailers are taken before the end is marked, which the I/O thread may see at once. */
    private void ended() {
        trailers = trailerFields();
        eof = true;
    }

    /** The client's trailer fields that may go on (RFC 9110 §6.5: hop-by-hop rules apply to them too). */
    private List<Header> trailerFields() {
        Map<String, String> fields = body.trailers().get();
        if (fields == null || fields.isEmpty()) {
            return List.of();
        }
        List<HeaderField> all = new ArrayList<>();
        fields.forEach((name, value) -> all.add(new HeaderField(name, value)));
        List<Header> out = new ArrayList<>();
        for (HeaderField f : HeaderPolicy.trailers(all)) {
            out.add(new BasicHeader(f.name(), f.value()));
        }
        return out;
    }

    private void fail(Throwable cause) {
        if (failed) {
            return;
        }
        // The exchange answers first; only then is the body cut off (stop()), or the backend's
        // connection failing as it is cut off could be answered 502 before it.
        events.bodyFailed(cause);
        stop();
    }

    /**
     * The body as one attempt ({@code call}, told of each write) sends it. Only a connect failure
     * leads to another attempt with a body, and then nothing of it was taken: every attempt starts
     * from what waits in the queue.
     */
    AsyncEntityProducer producer(BackendCall call) {
        return new AsyncEntityProducer() {
            /** This attempt's channel, from its first call to produce. */
            private volatile DataStreamChannel mine;

            @Override
            public boolean isRepeatable() {
                return false;
            }

            @Override
            public String getContentType() {
                return null; // travels as a header field
            }

            @Override
            public long getContentLength() {
                return body.length();
            }

            @Override
            public String getContentEncoding() {
                return null;
            }

            @Override
            public boolean isChunked() {
                return body.length() < 0;
            }

            @Override
            public Set<String> getTrailerNames() {
                return null;
            }

            @Override
            public int available() {
                // at the end or after a failure, one more call: to end the stream, or to drop the connection
                return eof || failed ? Math.max(1, queued.get()) : queued.get();
            }

            @Override
            public void produce(DataStreamChannel to) throws IOException {
                mine = to;
                channel.set(to);
                if (failed) {
                    // Thrown on the I/O thread, this closes the backend connection mid-body: the
                    // backend never sees a last chunk, so it cannot take the cut-off body for a whole one.
                    throw new IOException("the client's request body broke off");
                }
                // The end is read before the queue is drained, never after: the container's thread
                // queues the last chunk and then marks the end, and an end seen after the loop may be
                // one whose last chunk came after the loop looked. Ending then would send a body
                // short of that chunk: chunked, it would look complete to the backend.
                boolean ended = eof;
                for (ByteBuffer b = chunks.peek(); b != null; b = chunks.peek()) {
                    int n = to.write(b);
                    queued.addAndGet(-n);
                    if (n > 0) {
                        call.moved();
                    }
                    if (b.hasRemaining()) {
                        return; // the connection's buffer is full: called again when it drains
                    }
                    chunks.poll();
                }
                if (ended) {
                    sent = true;
                    List<Header> t = trailers;
                    to.endStream(t.isEmpty() ? null : t); // trailers: HTTP/2 HEADERS, or after the last chunk
                } else {
                    pull();
                }
            }

            @Override
            public void failed(Exception cause) {
                // the exchange hears of it through its response side
            }

            @Override
            public void releaseResources() {
                // Only its own channel: HttpClient releases a failed attempt after its failure callback,
                // which has already started the next attempt, and that one may be sending by now. Were
                // its channel forgotten, body bytes read later would never be asked out: the upload
                // would stall until the response timeout (seen once in the rehearsal: a 504 after 60 s).
                if (mine != null) {
                    channel.compareAndSet(mine, null);
                }
            }
        };
    }
}
