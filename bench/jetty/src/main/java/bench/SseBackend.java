package bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Server-sent-events backend for bench/run --sse: one thread, one NIO selector, any number of
 * streams.  GET /sse answers 200 text/event-stream (chunked) and then sends one event per
 * INTERVAL_MS to every open stream, each written (flushed) on its own:
 * "id: N\ndata: EPOCH_MILLIS\n\n", so a client can tell how late an event arrives.
 * Any other path: 200 with a 1 KiB body (keep-alive).  Prints "streams=OPEN" lines once per 5 s.
 * Usage: java bench.SseBackend BIND_HOST PORT [INTERVAL_MS]
 */
public final class SseBackend {

    private static final byte[] SSE_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\nTransfer-Encoding: chunked\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SMALL;
    static {
        byte[] body = new byte[1024];
        java.util.Arrays.fill(body, (byte) 'a');
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1024\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        SMALL = new byte[head.length + body.length];
        System.arraycopy(head, 0, SMALL, 0, head.length);
        System.arraycopy(body, 0, SMALL, head.length, body.length);
    }

    /** One client connection. */
    private static final class Conn {
        final SocketChannel ch;
        final ByteBuffer in = ByteBuffer.allocate(8192);
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        boolean sse;
        long seq;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }
    }

    public static void main(String[] args) throws IOException {
        String bind = args.length > 0 ? args[0] : "127.0.0.12";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
        long interval = args.length > 2 ? Long.parseLong(args[2]) : 1000;

        Selector sel = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(bind, port), 8192);
        server.configureBlocking(false);
        server.register(sel, SelectionKey.OP_ACCEPT);
        System.out.println("sse-backend listening on " + bind + ":" + port + ", one event per " + interval + " ms");

        java.util.ArrayList<Conn> streams = new java.util.ArrayList<>();
        long nextTick = System.currentTimeMillis() + interval;
        long nextLog = System.currentTimeMillis() + 5000;
        long events = 0;
        while (true) {
            long wait = Math.max(1, nextTick - System.currentTimeMillis());
            sel.select(wait);
            Iterator<SelectionKey> it = sel.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                try {
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        SocketChannel ch;
                        while ((ch = server.accept()) != null) {
                            ch.configureBlocking(false);
                            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            ch.register(sel, SelectionKey.OP_READ, new Conn(ch));
                        }
                        continue;
                    }
                    Conn c = (Conn) k.attachment();
                    if (k.isReadable()) {
                        int n = c.ch.read(c.in);
                        if (n < 0) {
                            close(k, c, streams);
                            continue;
                        }
                        handleRequests(k, c, streams);
                    }
                    if (k.isValid() && k.isWritable()) {
                        flush(k, c, streams);
                    }
                } catch (IOException e) {
                    close(k, (Conn) k.attachment(), streams);
                }
            }
            long now = System.currentTimeMillis();
            if (now >= nextTick) {
                nextTick += interval;
                if (nextTick < now) {
                    nextTick = now + interval;
                }
                for (int i = streams.size() - 1; i >= 0; i--) {
                    Conn c = streams.get(i);
                    SelectionKey k = c.ch.keyFor(sel);
                    if (k == null || !k.isValid()) {
                        streams.remove(i);
                        continue;
                    }
                    c.out.add(chunk("id: " + (++c.seq) + "\ndata: " + now + "\n\n"));
                    events++;
                    try {
                        flush(k, c, streams);
                    } catch (IOException e) {
                        close(k, c, streams);
                    }
                }
            }
            if (now >= nextLog) {
                nextLog = now + 5000;
                System.out.println("streams=" + streams.size() + " events_sent=" + events);
            }
        }
    }

    private static ByteBuffer chunk(String event) {
        byte[] data = event.getBytes(StandardCharsets.US_ASCII);
        byte[] size = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(size.length + data.length + 2);
        b.put(size).put(data).put((byte) '\r').put((byte) '\n').flip();
        return b;
    }

    /** Answers every complete request head in c.in (bodies are not expected). */
    private static void handleRequests(SelectionKey k, Conn c, java.util.List<Conn> streams) throws IOException {
        while (true) {
            int end = headEnd(c.in);
            if (end < 0) {
                if (!c.in.hasRemaining()) {
                    close(k, c, streams); // head larger than 8 KiB
                }
                return;
            }
            String head = new String(c.in.array(), 0, end, StandardCharsets.US_ASCII);
            // drop the head from the buffer
            int len = c.in.position();
            System.arraycopy(c.in.array(), end, c.in.array(), 0, len - end);
            c.in.position(len - end);
            if (c.sse) {
                continue; // nothing else is answered on a stream
            }
            int sp1 = head.indexOf(' ');
            int sp2 = head.indexOf(' ', sp1 + 1);
            String path = sp1 > 0 && sp2 > sp1 ? head.substring(sp1 + 1, sp2) : "/";
            if (path.startsWith("/sse")) {
                c.sse = true;
                c.out.add(ByteBuffer.wrap(SSE_HEAD));
                c.out.add(chunk("retry: 60000\nid: 0\ndata: " + System.currentTimeMillis() + "\n\n"));
                streams.add(c);
            } else {
                c.out.add(ByteBuffer.wrap(SMALL));
            }
            flush(k, c, streams);
        }
    }

    private static int headEnd(ByteBuffer in) {
        byte[] a = in.array();
        for (int i = 3; i < in.position(); i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private static void flush(SelectionKey k, Conn c, java.util.List<Conn> streams) throws IOException {
        while (!c.out.isEmpty()) {
            ByteBuffer b = c.out.peek();
            c.ch.write(b);
            if (b.hasRemaining()) {
                break;
            }
            c.out.poll();
        }
        if (c.out.size() > 1000) { // a stream nobody reads: give up on it
            close(k, c, streams);
            return;
        }
        k.interestOps(c.out.isEmpty() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    private static void close(SelectionKey k, Conn c, java.util.List<Conn> streams) {
        k.cancel();
        try {
            c.ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        // removed from streams lazily by the tick loop (key invalid)
    }
}
