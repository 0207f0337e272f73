package hostproxy.relay;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.apache.hc.client5.http.impl.io.DefaultManagedHttpClientConnection;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentLengthStrategy;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParserFactory;
import org.apache.hc.core5.http.io.HttpConnectionFactory;
import org.apache.hc.core5.http.io.HttpMessageParser;
import org.apache.hc.core5.http.io.HttpMessageParserFactory;
import org.apache.hc.core5.http.io.SessionInputBuffer;
import org.apache.hc.core5.io.CloseMode;

/**
 * A backend connection that is never reused with unread bytes in it. On HTTP/1.1 the next response
 * on a connection is whatever bytes come next: bytes a backend sent beyond the end of a response
 * (more than its {@code Content-Length}, or after the last chunk) would be read as the answer to
 * the next request, which may be another client's. HttpCore does not look for such bytes, so this
 * connection does, twice:
 * <ul>
 * <li>when a response body ends, before the connection goes back to the pool: bytes already there
 *     close it, and the backend is named in a warning;</li>
 * <li>when the pool hands it out again (the pool asks {@link #isStale()} on every lease): bytes
 *     that came late make it stale, and the pool discards it.</li>
 * </ul>
 * Neither check blocks: both look only at what was already received.
 */
final class GuardedConnection extends DefaultManagedHttpClientConnection {
    private static final Logger LOG = Logger.getLogger("hostproxy");
    private static final AtomicLong IDS = new AtomicLong();
    /** Idle longer than this, a connection also gets HttpCore's (1 ms, blocking) check for a closed peer. */
    private static final long CLOSED_PEER_CHECK_AFTER_NANOS = 2_000_000_000L;

    private final ParserWatch watch;
    private volatile long lastUsed = System.nanoTime();

    private GuardedConnection(String id, ParserWatch watch) {
        super(id, null, null, Http1Config.DEFAULT, null, null, null, watch);
        this.watch = watch;
    }

    /** Creates the pool's connections. */
    static HttpConnectionFactory<ManagedHttpClientConnection> factory() {
        return socket -> {
            GuardedConnection connection = new GuardedConnection("backend-" + IDS.incrementAndGet(), new ParserWatch());
            if (socket != null) {
                connection.bind(socket);
            }
            return connection;
        };
    }

    @Override
    public boolean isStale() throws IOException {
        if (!isOpen()) {
            return true;
        }
        int unread = unreadBytes();
        if (unread > 0) {
            LOG.fine(() -> "discarding a pooled connection to " + getRemoteAddress() + ": " + unread
                    + " bytes arrived after its last response");
            return true;
        }
        return System.nanoTime() - lastUsed > CLOSED_PEER_CHECK_AFTER_NANOS && super.isStale();
    }

    @Override
    protected void onResponseReceived(ClassicHttpResponse response) {
        lastUsed = System.nanoTime();
        super.onResponseReceived(response);
    }

    @Override
    protected InputStream createContentInputStream(long length, SessionInputBuffer buffer, InputStream socketInput) {
        InputStream body = super.createContentInputStream(length, buffer, socketInput);
        // A body read until the backend closes leaves nothing behind: the connection is not reused.
        return length == ContentLengthStrategy.UNDEFINED ? body : new EndOfBodyCheck(body);
    }

    /** Bytes received and not read: in HttpCore's buffer, or waiting in the socket. */
    private int unreadBytes() throws IOException {
        SessionInputBuffer buffer = watch.buffer;
        int buffered = buffer == null ? 0 : buffer.length();
        Socket socket = getSocket();
        return buffered + (socket == null ? 0 : socket.getInputStream().available());
    }

    /** Closes the connection when its body ended with more bytes behind it. */
    private final class EndOfBodyCheck extends FilterInputStream {
        private boolean checked;

        EndOfBodyCheck(InputStream body) {
            super(body);
        }

        @Override
        public int read() throws IOException {
            return atEnd(super.read());
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return atEnd(super.read(b, off, len));
        }

        private int atEnd(int result) throws IOException {
            if (result < 0 && !checked) {
                checked = true;
                lastUsed = System.nanoTime();
                int unread = unreadBytes();
                if (unread > 0) {
                    LOG.warning(() -> "backend " + getRemoteAddress() + " sent " + unread
                            + " bytes after the end of its response; its connection is closed, not reused");
                    GuardedConnection.this.close(CloseMode.IMMEDIATE);
                }
            }
            return result;
        }
    }

    /** HttpCore's response parser, noting the connection's input buffer (which the connection keeps to itself). */
    private static final class ParserWatch implements HttpMessageParserFactory<ClassicHttpResponse> {
        private volatile SessionInputBuffer buffer;

        @Override
        public HttpMessageParser<ClassicHttpResponse> create() {
            HttpMessageParser<ClassicHttpResponse> parser = DefaultHttpResponseParserFactory.INSTANCE.create();
            return (buffer, input) -> {
                this.buffer = buffer;
                return parser.parse(buffer, input);
            };
        }

        /** The interface's one abstract method, deprecated in favour of {@link #create()}, which HttpCore calls. */
        @Deprecated
        @Override
        public HttpMessageParser<ClassicHttpResponse> create(Http1Config config) {
            return create();
        }
    }
}
