package rehearsal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * WebSockets kept open through the proxy, one thread each: a text message every 2 s (this
 * session's id, a sequence number and up to 4 KB of random text), each echo compared with what was
 * sent; after 10 to 60 messages a clean close (1000). A replica being drained closes with 1001,
 * which is a clean end too. A connection that ends without a close frame is failed; an echo that
 * differs is a mix-up. At the end of a phase each session closes cleanly after its next echo.
 */
final class WebSockets extends Load {
    private static final char[] TEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-_".toCharArray();
    private final InetSocketAddress proxy;
    private final Outcomes outcomes;
    private final int count;
    private final boolean[] rampedUp;
    final AtomicInteger open = new AtomicInteger();

    WebSockets(InetSocketAddress proxy, Outcomes outcomes, int count) {
        super("ws");
        this.proxy = proxy;
        this.outcomes = outcomes;
        this.count = count;
        this.rampedUp = new boolean[count];
    }

    @Override
    int threads() {
        return count;
    }

    @Override
    void start() {
        Arrays.fill(rampedUp, false);
        super.start();
    }

    @Override
    void once(int slot) {
        if (!rampedUp[slot]) {
            rampedUp[slot] = true;
            pause(slot * 50L); // the first sessions of a phase open 20 a second
        }
        String id = outcomes.newId("ws");
        int messages = ThreadLocalRandom.current().nextInt(10, 61);
        long start = System.currentTimeMillis();
        int echoed = 0;
        try (Socket s = new Socket()) {
            if (!running()) {
                return;
            }
            s.connect(proxy, 10_000);
            s.setSoTimeout(30_000);
            open.incrementAndGet();
            try {
                OutputStream out = new BufferedOutputStream(s.getOutputStream());
                InputStream in = new BufferedInputStream(s.getInputStream());
                String key = WsFrames.newKey();
                Wire.writeHead(out, "GET /ws HTTP/1.1", "Host: app.rehearsal.test", "X-Request-Id: " + id, "Upgrade: websocket",
                        "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13");
                out.flush();
                Wire.Head head = Wire.readHead(in);
                if (head == null || head.status() != 101) {
                    outcomes.record("ws", id, "app", start, "failed", head == null ? 0 : head.status(),
                            head == null ? "connection ended before an answer" : "status " + head.status(), 0);
                    return;
                }
                if (!WsFrames.accept(key).equals(head.field("sec-websocket-accept"))) {
                    outcomes.record("ws", id, "app", start, "mixup", 101, "the handshake answers another key", 0);
                    return;
                }
                for (int seq = 1; seq <= messages && running(); seq++) {
                    String sent = id + " " + seq + " " + text();
                    WsFrames.write(out, WsFrames.TEXT, sent.getBytes(StandardCharsets.UTF_8), true);
                    WsFrames.Frame f = WsFrames.read(in);
                    if (f.opcode() == WsFrames.CLOSE) {
                        closedByServer(out, in, f, id, start, echoed);
                        return;
                    }
                    if (f.opcode() != WsFrames.TEXT || !f.text().equals(sent)) {
                        outcomes.record("ws", id, "app", start, "mixup", 101, "echo " + seq + " differs: "
                                + f.text().substring(0, Math.min(60, f.text().length())), echoed);
                        return;
                    }
                    echoed++;
                    pause(2_000);
                }
                WsFrames.close(out, 1000, true);
                WsFrames.Frame f = WsFrames.read(in);
                while (f.opcode() != WsFrames.CLOSE) { // an echo on its way when the close crossed it
                    f = WsFrames.read(in);
                }
                outcomes.record("ws", id, "app", start, "ok", 101, "closed 1000 after " + echoed + " echoes", echoed);
            } finally {
                open.decrementAndGet();
            }
        } catch (IOException e) {
            if (!running()) {
                outcomes.record("ws", id, "app", start, "vanished", 101, "closed by the rehearsal at the end of a phase", echoed);
            } else {
                String what = e instanceof EOFException ? "connection ended without a close frame" : Http1Exchanges.describe(e);
                outcomes.record("ws", id, "app", start, "failed", 101, what + " after " + echoed + " echoes", echoed);
            }
        }
    }

    /** The replica closed: 1001 (going away, a drain) is a clean end; the close is answered. */
    private void closedByServer(OutputStream out, InputStream in, WsFrames.Frame f, String id, long start, int echoed) throws IOException {
        WsFrames.write(out, WsFrames.CLOSE, f.payload(), true);
        if (f.closeCode() == 1001) {
            outcomes.record("ws", id, "app", start, "ok", 101, "closed 1001 (drained) after " + echoed + " echoes", echoed);
        } else {
            outcomes.record("ws", id, "app", start, "failed", 101, "closed by the server with " + f.closeCode(), echoed);
        }
    }

    private static String text() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[r.nextInt(10, 4001)];
        for (int i = 0; i < c.length; i++) {
            c[i] = TEXT[r.nextInt(TEXT.length)];
        }
        return new String(c);
    }
}
