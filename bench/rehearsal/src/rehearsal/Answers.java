package rehearsal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * What a replica answers on one connection, request after request:
 * <ul>
 * <li>{@code GET /health}: {@code 200}, or {@code 503} while told to fail;</li>
 * <li>{@code GET /data?size=N[&chunked=1][&close=1]}: N bytes of the request id's {@link Content}, with
 *     {@code Content-Length} or chunked in pieces of random sizes; {@code close=1}: then the
 *     connection ends ({@code Connection: close});</li>
 * <li>{@code POST /upload}: the body's length and SHA-256;</li>
 * <li>{@code GET /sse?events=N}: an event a second, {@code data: ID K}, then {@code event: end};</li>
 * <li>{@code GET /ws} with {@code Upgrade: websocket}: every message echoed.</li>
 * </ul>
 * Every answer carries {@code X-Echo-Id} (the {@code X-Request-Id} it got) and {@code X-Replica}.
 * A hung replica reads requests and answers none, and its streams fall silent.
 */
final class Answers {
    private final Replica replica;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Answers(Replica replica, Socket socket) throws IOException {
        this.replica = replica;
        this.socket = socket;
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = new BufferedOutputStream(socket.getOutputStream(), 32 * 1024);
    }

    /** A long-lived answer a drain ends cleanly. */
    interface Stream {
        void endForDrain();
    }

    void serve() throws IOException {
        for (;;) {
            replica.idle.add(socket);
            if (replica.draining) {
                return;
            }
            Wire.Head request = Wire.readHead(in);
            replica.idle.remove(socket);
            if (request == null) {
                return;
            }
            if (replica.hung) {
                hang();
            }
            if (!answer(request) || replica.draining) {
                return;
            }
        }
    }

    /** Never answers; the connection stays open until the process is killed. */
    static void hang() {
        for (;;) {
            LockSupport.park();
        }
    }

    /** @return whether the connection may carry another request */
    private boolean answer(Wire.Head request) throws IOException {
        String[] start = request.startLine().split(" ");
        String target = start[1];
        String id = request.field("x-request-id") == null ? "none" : request.field("x-request-id");
        String path = Wire.path(target);
        if (path.equals("/health")) {
            return health();
        }
        if (path.equals("/upload")) {
            return upload(request, id);
        }
        if (path.equals("/ws") && "websocket".equalsIgnoreCase(request.field("upgrade"))) {
            new WebSocketEcho(id).run(request);
            return false;
        }
        if (path.equals("/sse")) {
            return new EventStream(id, Integer.parseInt(Wire.query(target, "events", "10"))).run();
        }
        if (!Wire.readRequestBody(in, request, (b, off, len) -> { })) { // a GET's body, if any: none expected
            return false;
        }
        long size = Long.parseLong(Wire.query(target, "size", "0"));
        if (replica.role.equals("malformed")) {
            return Malformed.answer(out, id, size);
        }
        return data(id, size, "1".equals(Wire.query(target, "chunked", "0")), "1".equals(Wire.query(target, "close", "0")));
    }

    /** The fields every answer has, and {@code Connection: close} while draining. */
    private String[] fields(String... more) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(more));
        all.add("X-Replica: " + replica.name);
        if (replica.draining) {
            all.add("Connection: close");
        }
        return all.toArray(String[]::new);
    }

    private boolean health() throws IOException {
        String body = replica.healthy ? "ok\n" : "failing on purpose\n";
        Wire.writeHead(out, replica.healthy ? "HTTP/1.1 200 OK" : "HTTP/1.1 503 Service Unavailable",
                fields("Content-Type: text/plain", "Content-Length: " + body.length()));
        out.write(body.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return true;
    }

    /** @return whether the connection stays for the next request */
    private boolean data(String id, long size, boolean chunked, boolean close) throws IOException {
        boolean slow = replica.role.equals("slow");
        if (slow) {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200, 1000) * 1_000_000L);
        }
        String framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + size;
        Wire.writeHead(out, "HTTP/1.1 200 OK", close && !replica.draining
                ? fields("X-Echo-Id: " + id, "Content-Type: application/octet-stream", framing, "Connection: close")
                : fields("X-Echo-Id: " + id, "Content-Type: application/octet-stream", framing));
        Content content = new Content(id);
        byte[] buffer = new byte[64 * 1024];
        for (long left = size; left > 0; ) {
            int n = (int) Math.min(left, slow ? 8 * 1024 : chunked ? ThreadLocalRandom.current().nextInt(1, 16 * 1024) : buffer.length);
            content.next(buffer, 0, n);
            if (chunked) {
                Wire.writeChunk(out, buffer, 0, n);
            } else {
                out.write(buffer, 0, n);
            }
            left -= n;
            if (slow) {
                out.flush();
                LockSupport.parkNanos(20_000_000L);
            }
        }
        if (chunked) {
            Wire.writeLastChunk(out);
        }
        out.flush();
        return !close;
    }

    private boolean upload(Wire.Head request, String id) throws IOException {
        Content.Digest digest = new Content.Digest();
        boolean whole;
        try {
            whole = Wire.readRequestBody(in, request, digest);
        } catch (IOException reset) {
            brokeOff(request, id, digest, reset.toString());
            throw reset;
        }
        if (!whole) {
            brokeOff(request, id, digest, "the connection ended");
            return false; // nothing to answer
        }
        byte[] body = ("bytes=" + digest.bytes() + " sha256=" + digest.hex() + "\n").getBytes(StandardCharsets.US_ASCII);
        Wire.writeHead(out, "HTTP/1.1 200 OK", fields("X-Echo-Id: " + id, "Content-Type: text/plain",
                "Content-Length: " + body.length));
        out.write(body);
        out.flush();
        return true;
    }

    /** What came of an upload that broke off, for the report (replicas/NAME.err). */
    private static void brokeOff(Wire.Head request, String id, Content.Digest digest, String how) {
        System.err.printf("%tT upload %s broke off after %d bytes (%s): %s%n", System.currentTimeMillis(), id, digest.bytes(),
                request.chunked() ? "chunked" : "Content-Length " + request.contentLength(), how);
    }

    /** Server-sent events, one a second, each written and flushed on its own. */
    private final class EventStream implements Stream {
        private final String id;
        private final int events;
        private volatile boolean drain;

        EventStream(String id, int events) {
            this.id = id;
            this.events = events;
        }

        boolean run() throws IOException {
            replica.streams.add(this);
            try {
                Wire.writeHead(out, "HTTP/1.1 200 OK", fields("X-Echo-Id: " + id, "Content-Type: text/event-stream",
                        "Transfer-Encoding: chunked"));
                for (int k = 1; k <= events; k++) {
                    if (drain || replica.draining) {
                        event("event: end\ndata: " + id + " drained " + (k - 1) + "\n\n");
                        Wire.writeLastChunk(out);
                        out.flush();
                        return false;
                    }
                    if (replica.hung) {
                        hang();
                    }
                    event("id: " + k + "\ndata: " + id + " " + k + "\n\n");
                    LockSupport.parkNanos(1_000_000_000L);
                }
                event("event: end\ndata: " + id + " done " + events + "\n\n");
                Wire.writeLastChunk(out);
                out.flush();
                return true;
            } finally {
                replica.streams.remove(this);
            }
        }

        private void event(String text) throws IOException {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            Wire.writeChunk(out, b, 0, b.length);
            out.flush();
        }

        @Override
        public void endForDrain() {
            drain = true; // seen within the second, before its next event
        }
    }

    /** Echoes each message; a drain sends close 1001 (going away) and waits for the client's close. */
    private final class WebSocketEcho implements Stream {
        private final String id;
        private volatile boolean closeSent;

        WebSocketEcho(String id) {
            this.id = id;
        }

        void run(Wire.Head request) throws IOException {
            String key = request.field("sec-websocket-key");
            Wire.writeHead(out, "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Accept: " + WsFrames.accept(key), "X-Echo-Id: " + id, "X-Replica: " + replica.name);
            out.flush();
            replica.streams.add(this);
            try {
                for (;;) {
                    WsFrames.Frame f = WsFrames.read(in);
                    if (replica.hung) {
                        hang();
                    }
                    switch (f.opcode()) {
                        case WsFrames.CLOSE -> {
                            if (!closeSent) { // the client's close: answered with the same code (RFC 6455 §5.5.1)
                                WsFrames.write(out, WsFrames.CLOSE, f.payload(), false);
                            }
                            return;
                        }
                        case WsFrames.PING -> WsFrames.write(out, WsFrames.PONG, f.payload(), false);
                        case WsFrames.PONG -> { }
                        default -> WsFrames.write(out, f.opcode(), f.payload(), false);
                    }
                }
            } finally {
                replica.streams.remove(this);
            }
        }

        @Override
        public void endForDrain() {
            try {
                closeSent = true;
                WsFrames.close(out, 1001, false); // the client answers with its close, which ends run()
            } catch (IOException e) {
                Replica.closeQuietly(socket);
            }
        }
    }
}
