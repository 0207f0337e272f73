package hostproxy.tunnel;

import hostproxy.container.ClientClose;
import hostproxy.container.JettyUpgradeInput;
import hostproxy.relay.Exchange;
import hostproxy.upstream.Endpoint;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One upgraded connection: two pumps over the client's {@link WebConnection} (servlet
 * non-blocking I/O) and the backend's non-blocking {@link SocketChannel}. No thread waits: each
 * pump moves what is ready and stops when the other side cannot take more, which is the
 * back-pressure both ways.
 * <ul>
 *   <li><b>client → backend</b> ({@link #clientReadable}): runs when the container reports data
 *       ({@code onDataAvailable}) or when the backend socket drained ({@code OP_WRITE}); a write
 *       the backend does not take whole leaves the rest pending and the client is not read until it
 *       is gone.</li>
 *   <li><b>backend → client</b> ({@link #backendReadable}): runs on {@code OP_READ} or when the
 *       container can write again ({@code onWritePossible}); while the client output is not ready
 *       the backend is not read ({@code OP_READ} off), so TCP pushes back on the backend.</li>
 * </ul>
 * Each pump holds its own lock, so the container's thread and the reactor's never interleave in
 * one direction. Either side closing (end of stream or failure) closes the tunnel: the end of one
 * direction is passed on as a half-close where it can be (client end → backend
 * {@code shutdownOutput}); the backend's end closes the client's connection once what it sent is
 * written.
 */
final class Tunnel {
    private static final Logger LOG = Logger.getLogger(Tunnel.class.getName());
    static final int BUFFER = 8 * 1024;

    private final Tunnels owner;
    private final Exchange exchange;
    private final String backendName;
    private final Endpoint endpoint;
    private final SocketChannel backend;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile SelectionKey key;
    private volatile WebConnection connection;
    private volatile ServletOutputStream clientOutput;
    private volatile long lastActivityNanos = System.nanoTime();
    /** On Jetty: what undoes the end of input it recorded before the tunnel started ({@code null} elsewhere). */
    private volatile JettyUpgradeInput jettyInput;

    // client -> backend, guarded by up
    private final Object up = new Object();
    private final byte[] upBytes = new byte[BUFFER];
    private ByteBuffer upPending = ByteBuffer.allocate(0);
    private ServletInputStream in;
    private boolean clientEnded;
    private boolean backendShutDown;

    // backend -> client, guarded by down
    private final Object down = new Object();
    private final ByteBuffer downBuffer;
    private ServletOutputStream out;
    private boolean backendEnded;
    private boolean flushOwed;

    Tunnel(Tunnels owner, Exchange exchange, String backendName, Endpoint endpoint, SocketChannel backend,
            byte[] firstBytes) {
        this.owner = owner;
        this.exchange = exchange;
        this.backendName = backendName;
        this.endpoint = endpoint;
        this.backend = backend;
        this.downBuffer = ByteBuffer.allocate(Math.max(BUFFER, firstBytes.length));
        downBuffer.put(firstBytes).flip();
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** Set by the handshake, before the container switches protocols, when the container is Jetty. */
    void jettyInput(JettyUpgradeInput input) {
        this.jettyInput = input;
    }

    /** The container switched protocols ({@code HttpUpgradeHandler.init}): the pumps start. */
    void start(WebConnection webConnection) throws IOException {
        this.connection = webConnection;
        JettyUpgradeInput jetty = jettyInput;
        if (jetty != null) {
            jetty.reopen(); // before the input is first read: see JettyUpgradeInput
        }
        ServletInputStream input = webConnection.getInputStream();
        ServletOutputStream output = webConnection.getOutputStream();
        clientOutput = output;
        synchronized (up) {
            in = input;
        }
        synchronized (down) {
            out = output;
        }
        // The backend channel is registered before any listener is set, so that the pumps never
        // start on the reactor thread while the container is still setting up its callbacks (some
        // containers' streams are not safe against that).
        backend.configureBlocking(false);
        key = owner.reactor().register(backend, this);
        if (downBuffer.hasRemaining()) {
            owner.reactor().execute(this::backendReadable); // the bytes that came with the 101
        }
        input.setReadListener(new ReadListener() {
            @Override
            public void onDataAvailable() {
                clientReadable();
            }

            @Override
            public void onAllDataRead() {
                synchronized (up) {
                    clientEnded = true;
                }
                clientReadable();
            }

            @Override
            public void onError(Throwable t) {
                close("client connection failed: " + t);
            }
        });
        output.setWriteListener(new WriteListener() {
            @Override
            public void onWritePossible() {
                backendReadable();
            }

            @Override
            public void onError(Throwable t) {
                close("client connection failed: " + t);
            }
        });
    }

    /** Client → backend: moves what the client sent until either side is not ready. */
    void clientReadable() {
        synchronized (up) {
            if (closed.get()) {
                return;
            }
            try {
                while (true) {
                    if (upPending.hasRemaining()) {
                        int n = backend.write(upPending);
                        owner.countToBackend(n);
                        if (upPending.hasRemaining()) {
                            owner.reactor().interest(key, SelectionKey.OP_WRITE, true);
                            return; // backendWritable() goes on
                        }
                    }
                    if (clientEnded) {
                        clientFinished();
                        return;
                    }
                    if (!in.isReady()) {
                        return; // onDataAvailable() goes on
                    }
                    int n = in.read(upBytes);
                    if (n < 0) {
                        clientEnded = true;
                    } else if (n > 0) {
                        lastActivityNanos = System.nanoTime();
                        upPending = ByteBuffer.wrap(upBytes, 0, n);
                    }
                }
            } catch (IOException | RuntimeException e) {
                close("client to backend: " + e);
            }
        }
    }

    /** The backend takes bytes again ({@code OP_WRITE}). */
    void backendWritable() {
        owner.reactor().interest(key, SelectionKey.OP_WRITE, false);
        clientReadable();
    }

    /** Backend → client: moves what the backend sent until either side is not ready. */
    void backendReadable() {
        synchronized (down) {
            if (closed.get()) {
                return;
            }
            try {
                while (true) {
                    if (downBuffer.hasRemaining()) {
                        if (!out.isReady()) {
                            owner.reactor().interest(key, SelectionKey.OP_READ, false);
                            return; // onWritePossible() goes on
                        }
                        int n = downBuffer.remaining();
                        out.write(downBuffer.array(), downBuffer.position(), n);
                        downBuffer.position(downBuffer.limit());
                        owner.countToClient(n);
                        flushOwed = true;
                        continue;
                    }
                    if (flushOwed) {
                        if (!out.isReady()) {
                            owner.reactor().interest(key, SelectionKey.OP_READ, false);
                            return; // the container writes what it holds, then onWritePossible()
                        }
                        out.flush();
                        flushOwed = false;
                        continue;
                    }
                    if (backendEnded) {
                        close("backend closed the connection");
                        return;
                    }
                    downBuffer.clear();
                    int n = backend.read(downBuffer);
                    downBuffer.flip();
                    if (n < 0) {
                        backendEnded = true;
                    } else if (n == 0) {
                        owner.reactor().interest(key, SelectionKey.OP_READ, true);
                        return; // OP_READ goes on
                    } else {
                        lastActivityNanos = System.nanoTime();
                    }
                }
            } catch (IOException | RuntimeException e) {
                close("backend to client: " + e);
            }
        }
    }

    /** The client will send nothing more: the backend is told so once it has everything. */
    private void clientFinished() throws IOException {
        if (!backendShutDown) {
            backendShutDown = true;
            backend.shutdownOutput();
            LOG.fine(() -> exchange + ": client ended its side of the tunnel to " + backendName);
        }
    }

    long idleNanos(long now) {
        return now - lastActivityNanos;
    }

    boolean isOpen() {
        return !closed.get();
    }

    /**
     * Closes both sides, once, after an end and after a failure alike: the pumps pass on what the
     * ending side sent before they come here, and after a failure nothing more can be passed on.
     */
    void close(String why) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.fine(() -> exchange + ": tunnel to " + backendName + " closed: " + why);
        SelectionKey k = key;
        if (k != null) {
            k.cancel();
        }
        try {
            backend.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, e, () -> exchange + ": closing the backend connection failed");
        }
        WebConnection c = connection;
        if (c != null) {
            ClientClose.close(exchange, c, clientOutput);
        }
        owner.closed(this);
    }
}
