package hostproxy.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP/1.1 server on one loopback address, standing in for a backend container: it records
 * every request byte for byte and answers with the test's {@link Reply} (by default an echo naming
 * the backend, the method and the target).
 */
public final class TestBackend implements AutoCloseable {
    private final String name;
    private final ServerSocket server;
    private final java.util.concurrent.Future<?> acceptor;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-backend");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<RecordedRequest> requests = new LinkedBlockingQueue<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private volatile Function<RecordedRequest, Reply> handler = TestBackend::echo;
    /** The first bytes received on all connections, as they arrived (bounded: tests look for markers). */
    private final StringBuffer received = new StringBuffer();

    private TestBackend(String name, String address, int port) throws IOException {
        this.name = name;
        this.server = bind(new InetSocketAddress(InetAddress.getByName(address), port));
        acceptor = threads.submit(this::acceptLoop);
    }

    /** Binds, giving a listener this address just had (a test before, a parallel run) 5 s to let go. */
    private static ServerSocket bind(InetSocketAddress address) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (;;) {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            try {
                s.bind(address, 200);
                return s;
            } catch (java.net.BindException e) {
                s.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    public static TestBackend start(String name, String address, int port) throws IOException {
        return new TestBackend(name, address, port);
    }

    public String name() {
        return name;
    }

    /** Back to the echo answer, with no request recorded: a fresh start for each test. */
    public void reset() {
        handler = TestBackend::echo;
        requests.clear();
    }

    public TestBackend handle(Function<RecordedRequest, Reply> handler) {
        this.handler = handler;
        return this;
    }

    /** The next request this backend received, waiting at most 10 s. */
    public RecordedRequest takeRequest() throws InterruptedException {
        RecordedRequest r = requests.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError(name + " received no request within 10 s");
        }
        return r;
    }

    public int requestCount() {
        return served.get();
    }

    /** Up to the first 64 KiB of raw bytes received, to see a body arrive before it is complete. */
    public String received() {
        return received.toString();
    }

    public int openConnections() {
        return open.size();
    }

    public int acceptedConnections() {
        return accepted.get();
    }

    /** The default answer: which backend, which method, which target, and the body's length. */
    public static Reply echo(RecordedRequest r) {
        return Reply.text(200, "method=" + r.method() + "\ntarget=" + r.target() + "\nbody=" + r.body().length + "\n",
                "Content-Type: text/plain");
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (server.isClosed()) { // accepted while closing: a closed backend serves nothing
                closeQuietly(socket);
                return;
            }
            accepted.incrementAndGet();
            open.add(socket);
            threads.execute(() -> serve(socket));
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(new Recording(socket.getInputStream()));
            OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            for (;;) {
                RecordedRequest request = readRequest(in);
                if (request == null) {
                    return;
                }
                requests.add(request);
                served.incrementAndGet();
                Reply reply = handler.apply(request);
                String origin = "X-Backend: " + name + "\r\n";
                boolean keepAlive = reply.write(new BackendNaming(out, origin), socket);
                out.flush();
                if (!keepAlive) {
                    return;
                }
            }
        } catch (IOException e) {
            // the peer went away: nothing to report
        } finally {
            open.remove(socket);
        }
    }

    private static RecordedRequest readRequest(InputStream in) throws IOException {
        String line = HttpWire.readLine(in);
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ", 3);
        List<Field> headers = HttpWire.readFields(in);
        String length = HttpWire.first(headers, "Content-Length");
        String encoding = HttpWire.first(headers, "Transfer-Encoding");
        boolean chunked = encoding != null && encoding.toLowerCase().contains("chunked");
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            HttpWire.readChunked(in, b);
            body = b.toByteArray();
        } else {
            body = length == null ? new byte[0] : HttpWire.readUpTo(in, Long.parseLong(length));
        }
        return new RecordedRequest(parts[0], parts[1], parts[2], headers, body, chunked);
    }

    /**
     * Closes the backend: once this returns, its address refuses connections. A thread blocked in
     * accept() keeps Linux's listening socket alive after close() until it wakes, and a connection
     * arriving meanwhile would be accepted (on a busy machine, the next request's own): the
     * acceptor is waited for, so what the caller sends next meets a closed port.
     */
    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException(name + ": the accepting thread did not stop", e);
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (SocketException e) {
                // already closed
            }
        }
        threads.shutdownNow();
    }

    /** Keeps the first bytes read off the socket in {@link #received}. */
    private final class Recording extends java.io.FilterInputStream {
        Recording(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && received.length() < 65_536) {
                received.append(new String(b, off, n, StandardCharsets.ISO_8859_1));
            }
            return n;
        }
    }

    /** Adds {@code X-Backend: <name>} after the status line so every answer says who gave it. */
    private static final class BackendNaming extends OutputStream {
        private final OutputStream out;
        private final byte[] header;
        private boolean statusLineSeen;

        BackendNaming(OutputStream out, String header) {
            this.out = out;
            this.header = header.getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            if (!statusLineSeen && b == '\n') {
                statusLineSeen = true;
                out.write(header);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (statusLineSeen) {
                out.write(b, off, len);
                return;
            }
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
