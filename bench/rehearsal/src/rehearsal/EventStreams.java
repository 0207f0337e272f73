package rehearsal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Server-sent event streams kept open through the proxy, one thread each: every event is checked
 * ({@code data: ID K}, K counting up from 1, ID this stream's), and so is the end
 * ({@code event: end}, {@code done N} or {@code drained K} when the replica was drained). A stream
 * that broke off is failed; one whose framing completed without its end event, or with an event
 * out of place, is a mix-up. When one ends the thread opens the next.
 */
final class EventStreams extends Load {
    private final InetSocketAddress proxy;
    private final Outcomes outcomes;
    private final int count;
    private final Socket[] sockets;
    private final boolean[] rampedUp;
    final AtomicInteger open = new AtomicInteger();

    EventStreams(InetSocketAddress proxy, Outcomes outcomes, int count) {
        super("sse");
        this.proxy = proxy;
        this.outcomes = outcomes;
        this.count = count;
        this.sockets = new Socket[count];
        this.rampedUp = new boolean[count];
    }

    @Override
    void start() {
        java.util.Arrays.fill(rampedUp, false);
        super.start();
    }

    @Override
    int threads() {
        return count;
    }

    @Override
    void once(int slot) throws InterruptedException {
        if (!rampedUp[slot]) {
            rampedUp[slot] = true;
            pause(slot * 50L); // the first streams of a phase open 20 a second
        }
        String id = outcomes.newId("sse");
        int events = ThreadLocalRandom.current().nextInt(20, 121);
        long start = System.currentTimeMillis();
        Parser parser = new Parser(id, events);
        try (Socket s = new Socket()) {
            sockets[slot] = s;
            if (!running()) {
                return;
            }
            s.connect(proxy, 10_000);
            s.setSoTimeout(30_000); // an event a second: 30 s of silence is a stalled stream
            open.incrementAndGet();
            try {
                OutputStream out = new BufferedOutputStream(s.getOutputStream());
                Wire.writeHead(out, "GET /sse?events=" + events + " HTTP/1.1", "Host: app.rehearsal.test",
                        "X-Request-Id: " + id, "Accept: text/event-stream");
                out.flush();
                InputStream in = new BufferedInputStream(s.getInputStream());
                Wire.Head head = Wire.readHead(in);
                if (head == null || head.status() != 200) {
                    outcomes.record("sse", id, "app", start, "failed", head == null ? 0 : head.status(),
                            head == null ? "connection ended before an answer" : "status " + head.status(), 0);
                    return;
                }
                if (!id.equals(head.field("x-echo-id"))) {
                    outcomes.record("sse", id, "app", start, "mixup", 200, "the answer names request " + head.field("x-echo-id"), 0);
                    return;
                }
                boolean complete = Wire.readBody(in, head, parser);
                if (!complete && !running()) {
                    outcomes.record("sse", id, "app", start, "vanished", 200, "closed by the rehearsal at the end of a phase", parser.last);
                } else if (!complete) {
                    outcomes.record("sse", id, "app", start, "failed", 200, "broken off after " + parser.last + " events", parser.last);
                } else if (parser.problem != null || parser.end == null) {
                    outcomes.record("sse", id, "app", start, "mixup", 200, parser.problem != null ? parser.problem
                            : "complete-looking without its end event, after " + parser.last + " events", parser.last);
                } else {
                    outcomes.record("sse", id, "app", start, "ok", 200, parser.end, parser.last);
                }
            } finally {
                open.decrementAndGet();
            }
        } catch (IOException e) {
            if (!running()) {
                outcomes.record("sse", id, "app", start, "vanished", 200, "closed by the rehearsal at the end of a phase", parser.last);
            } else {
                outcomes.record("sse", id, "app", start, "failed", 0, Http1Exchanges.describe(e) + " after " + parser.last + " events", parser.last);
            }
        } finally {
            sockets[slot] = null;
        }
    }

    @Override
    void interrupt() {
        for (Socket s : sockets) {
            if (s != null) {
                Replica.closeQuietly(s);
            }
        }
    }

    /** Takes the body's bytes, checks each event as it completes. */
    private static final class Parser implements Wire.Sink {
        private final String id;
        private final int events;
        private final StringBuilder pending = new StringBuilder();
        int last;
        String end;
        String problem;

        Parser(String id, int events) {
            this.id = id;
            this.events = events;
        }

        @Override
        public void accept(byte[] b, int off, int len) {
            pending.append(new String(b, off, len, StandardCharsets.UTF_8));
            for (int cut; (cut = pending.indexOf("\n\n")) >= 0; ) {
                event(pending.substring(0, cut));
                pending.delete(0, cut + 2);
            }
        }

        private void event(String text) {
            if (problem != null) {
                return;
            }
            String data = null;
            boolean isEnd = false;
            for (String line : text.split("\n")) {
                if (line.startsWith("data: ")) {
                    data = line.substring(6);
                } else if (line.equals("event: end")) {
                    isEnd = true;
                }
            }
            String[] parts = data == null ? new String[0] : data.split(" ");
            if (end != null || parts.length < 2 || !parts[0].equals(id)) {
                problem = "event out of place after " + last + " events: " + text.replace('\n', '|');
            } else if (isEnd) {
                boolean done = parts[1].equals("done") && last == events && parts[2].equals(Integer.toString(events));
                boolean drained = parts[1].equals("drained") && parts[2].equals(Integer.toString(last));
                if (done || drained) {
                    end = parts[1];
                } else {
                    problem = "end event " + data + " after " + last + " events";
                }
            } else if (!parts[1].equals(Integer.toString(last + 1))) {
                problem = "event " + parts[1] + " after event " + last;
            } else {
                last++;
            }
        }
    }
}
