package bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Load client for bench/run --sse.  Opens STREAMS server-sent-event streams (GET /sse, Host
 * SSE_HOST) through the proxy at HOST:PORT with one NIO selector (ramped: 100 every 50 ms), keeps
 * them for SECONDS, decodes every event ("data: EPOCH_MILLIS" lines, chunked or not) and counts
 * them per stream.  Meanwhile (from 2 s after the last stream was opened until the end) a second
 * thread sends ordinary GET /1k (Host GET_HOST, new connection each, "Connection: close") one
 * every GET_INTERVAL_MS, each bounded by GET_TIMEOUT_MS, and records their latency.
 * Everything is bounded: the run ends after ramp + SECONDS whatever happens.
 * Prints a human summary and one JSON line starting with "RESULT ".
 * Usage: java bench.SseLoad HOST PORT SSE_HOST GET_HOST STREAMS SECONDS MIN_EVENTS GET_INTERVAL_MS GET_TIMEOUT_MS
 */
public final class SseLoad {

    /** One stream's state. */
    static final class Stream {
        final int id;
        SocketChannel ch;
        ByteBuffer req;
        final StringBuilder head = new StringBuilder();
        boolean headDone;
        int status;
        boolean chunked;
        long openedAt; // ms when the 200 head arrived
        long startedAt;
        // chunk decoder
        int cstate; // 0 size line, 1 data, 2 data CRLF
        long cleft;
        final StringBuilder sizeLine = new StringBuilder();
        final StringBuilder line = new StringBuilder();
        int events;
        long lastEventAt;
        String failure;
        boolean closed;

        Stream(int id) {
            this.id = id;
        }
    }

    static final List<Long> lags = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String sseHost = args[2];
        String getHost = args[3];
        int n = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);
        int minEvents = Integer.parseInt(args[6]);
        long getInterval = Long.parseLong(args[7]);
        int getTimeout = Integer.parseInt(args[8]);

        InetSocketAddress addr = new InetSocketAddress(host, port);
        byte[] req = ("GET /sse HTTP/1.1\r\nHost: " + sseHost + "\r\nAccept: text/event-stream\r\n"
                + "Cache-Control: no-cache\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        Selector sel = Selector.open();
        Stream[] streams = new Stream[n];
        long t0 = System.currentTimeMillis();
        int batch = 100;
        long rampMs = (long) ((n + batch - 1) / batch) * 50;
        long end = t0 + rampMs + seconds * 1000L;
        int nextToOpen = 0;
        long nextBatchAt = t0;

        GetLoop gets = new GetLoop(addr, getHost, t0 + rampMs + 2000, end, getInterval, getTimeout);
        Thread gt = new Thread(gets, "gets");
        gt.setDaemon(true);
        gt.start();

        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        byte[] arr = new byte[64 * 1024];
        while (true) {
            long now = System.currentTimeMillis();
            if (now >= end) {
                break;
            }
            while (nextToOpen < n && now >= nextBatchAt) {
                for (int i = 0; i < batch && nextToOpen < n; i++, nextToOpen++) {
                    Stream s = new Stream(nextToOpen);
                    streams[nextToOpen] = s;
                    s.startedAt = now;
                    s.req = ByteBuffer.wrap(req);
                    try {
                        s.ch = SocketChannel.open();
                        s.ch.configureBlocking(false);
                        s.ch.connect(addr);
                        s.ch.register(sel, SelectionKey.OP_CONNECT, s);
                    } catch (IOException e) {
                        fail(s, "connect: " + e.getMessage());
                    }
                }
                nextBatchAt += 50;
            }
            sel.select(Math.max(1, Math.min(50, end - now)));
            Iterator<SelectionKey> it = sel.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                Stream s = (Stream) k.attachment();
                try {
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isConnectable()) {
                        s.ch.finishConnect();
                        k.interestOps(SelectionKey.OP_WRITE);
                    }
                    if (k.isValid() && k.isWritable()) {
                        s.ch.write(s.req);
                        if (!s.req.hasRemaining()) {
                            k.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (k.isValid() && k.isReadable()) {
                        buf.clear();
                        int r = s.ch.read(buf);
                        if (r < 0) {
                            k.cancel();
                            fail(s, s.headDone ? "closed by the proxy after " + s.events + " events"
                                    : "closed by the proxy before a response head");
                            continue;
                        }
                        buf.flip();
                        buf.get(arr, 0, r);
                        consume(s, arr, r, System.currentTimeMillis());
                    }
                } catch (IOException e) {
                    k.cancel();
                    fail(s, e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        }
        // the end: close everything, then report
        for (Stream s : streams) {
            if (s != null && s.ch != null) {
                try {
                    s.ch.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
        gt.join(Math.max(1000, getTimeout + 1000L));
        report(streams, n, seconds, minEvents, end, gets, t0, rampMs);
        System.exit(0);
    }

    static void fail(Stream s, String why) {
        if (s.failure == null) {
            s.failure = why;
        }
        s.closed = true;
        try {
            if (s.ch != null) {
                s.ch.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    static void consume(Stream s, byte[] a, int len, long now) {
        int i = 0;
        if (!s.headDone) {
            while (i < len && !s.headDone) {
                s.head.append((char) a[i++]);
                int hl = s.head.length();
                if (hl >= 4 && s.head.charAt(hl - 1) == '\n' && s.head.charAt(hl - 2) == '\r'
                        && s.head.charAt(hl - 3) == '\n' && s.head.charAt(hl - 4) == '\r') {
                    s.headDone = true;
                    String h = s.head.toString();
                    String[] first = h.substring(0, h.indexOf('\r')).split(" ");
                    s.status = first.length > 1 ? Integer.parseInt(first[1]) : 0;
                    s.chunked = h.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
                    if (s.status == 200) {
                        s.openedAt = now;
                    } else {
                        fail(s, "HTTP " + s.status);
                        return;
                    }
                } else if (hl > 16384) {
                    fail(s, "response head too long");
                    return;
                }
            }
        }
        for (; i < len; i++) {
            byte b = a[i];
            if (!s.chunked) {
                body(s, b, now);
                continue;
            }
            switch (s.cstate) {
                case 0:
                    if (b == '\n') {
                        String sz = s.sizeLine.toString().trim();
                        int semi = sz.indexOf(';');
                        if (semi >= 0) {
                            sz = sz.substring(0, semi);
                        }
                        s.sizeLine.setLength(0);
                        s.cleft = sz.isEmpty() ? 0 : Long.parseLong(sz, 16);
                        if (s.cleft == 0) {
                            fail(s, "stream ended (last chunk) after " + s.events + " events");
                            return;
                        }
                        s.cstate = 1;
                    } else if (b != '\r') {
                        s.sizeLine.append((char) b);
                    }
                    break;
                case 1:
                    body(s, b, now);
                    if (--s.cleft == 0) {
                        s.cstate = 2;
                    }
                    break;
                default: // CRLF after the data
                    if (b == '\n') {
                        s.cstate = 0;
                    }
                    break;
            }
        }
    }

    static void body(Stream s, byte b, long now) {
        if (b != '\n') {
            if (s.line.length() < 200) {
                s.line.append((char) b);
            }
            return;
        }
        if (s.line.length() > 6 && s.line.charAt(0) == 'd' && s.line.indexOf("data: ") == 0) {
            s.events++;
            s.lastEventAt = now;
            try {
                long sent = Long.parseLong(s.line.substring(6).trim());
                synchronized (lags) {
                    lags.add(now - sent);
                }
            } catch (NumberFormatException ignored) {
                // an event without a time stamp still counts
            }
        }
        s.line.setLength(0);
    }

    /** Sequential ordinary GETs through the same proxy. */
    static final class GetLoop implements Runnable {
        final InetSocketAddress addr;
        final byte[] req;
        final long start;
        final long end;
        final long interval;
        final int timeout;
        final List<Long> okLatencies = new ArrayList<>();
        final List<Long> allLatencies = new ArrayList<>();
        int failed;
        final List<String> failures = new ArrayList<>();

        GetLoop(InetSocketAddress addr, String host, long start, long end, long interval, int timeout) {
            this.addr = addr;
            this.req = ("GET /1k HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            this.start = start;
            this.end = end;
            this.interval = interval;
            this.timeout = timeout;
        }

        @Override
        public void run() {
            try {
                Thread.sleep(Math.max(0, start - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                return;
            }
            long next = System.currentTimeMillis();
            while (true) {
                long now = System.currentTimeMillis();
                if (now >= end) {
                    return;
                }
                if (now < next) {
                    try {
                        Thread.sleep(next - now);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                next = now + interval;
                // never wait beyond the end of the run (+ the timeout of the last one)
                long t = System.nanoTime();
                String err = one();
                long ms = (System.nanoTime() - t) / 1_000_000;
                synchronized (this) {
                    allLatencies.add(ms);
                    if (err == null) {
                        okLatencies.add(ms);
                    } else {
                        failed++;
                        if (failures.size() < 5) {
                            failures.add(err + " after " + ms + " ms");
                        }
                    }
                }
            }
        }

        private String one() {
            long deadline = System.currentTimeMillis() + timeout;
            try (Socket so = new Socket()) {
                so.connect(addr, timeout);
                so.setSoTimeout(timeout);
                OutputStream out = so.getOutputStream();
                out.write(req);
                out.flush();
                InputStream in = so.getInputStream();
                byte[] b = new byte[8192];
                long total = 0;
                StringBuilder first = new StringBuilder();
                int r;
                while ((r = in.read(b)) >= 0) {
                    for (int i = 0; i < r && first.length() < 12; i++) {
                        first.append((char) b[i]);
                    }
                    total += r;
                    int left = (int) (deadline - System.currentTimeMillis());
                    if (left <= 0) {
                        return "timeout";
                    }
                    so.setSoTimeout(left);
                }
                if (!first.toString().startsWith("HTTP/1.1 200")) {
                    return "status " + first;
                }
                return total >= 1024 ? null : "short body (" + total + " B)";
            } catch (java.net.SocketTimeoutException e) {
                return "timeout";
            } catch (IOException e) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
    }

    static long pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    static void report(Stream[] streams, int n, int seconds, int minEvents, long end, GetLoop gets, long t0,
            long rampMs) {
        int attempted = 0;
        int opened = 0;
        int enough = 0;
        int aliveLast5 = 0;
        long totalEvents = 0;
        List<Long> perStream = new ArrayList<>();
        List<Long> openMs = new ArrayList<>();
        java.util.Map<String, Integer> failures = new java.util.TreeMap<>();
        for (Stream s : streams) {
            if (s == null) {
                continue;
            }
            attempted++;
            if (s.openedAt > 0) {
                opened++;
                openMs.add(s.openedAt - s.startedAt);
            }
            if (s.events >= minEvents) {
                enough++;
            }
            if (s.lastEventAt >= end - 5000) {
                aliveLast5++;
            }
            totalEvents += s.events;
            perStream.add((long) s.events);
            if (s.failure != null) {
                String key = s.failure.replaceAll("[0-9]+ events", "N events");
                failures.merge(key, 1, Integer::sum);
            }
        }
        perStream.sort(null);
        openMs.sort(null);
        List<Long> lagList;
        synchronized (lags) {
            lagList = new ArrayList<>(lags);
        }
        lagList.sort(null);
        List<Long> ok;
        List<Long> all;
        int getFailed;
        List<String> getFailures;
        synchronized (gets) {
            ok = new ArrayList<>(gets.okLatencies);
            all = new ArrayList<>(gets.allLatencies);
            getFailed = gets.failed;
            getFailures = new ArrayList<>(gets.failures);
        }
        ok.sort(null);
        all.sort(null);
        long over1s = all.stream().filter(x -> x > 1000).count();
        System.out.printf(Locale.ROOT, "streams: %d attempted, %d opened (HTTP 200 head), %d with >= %d events, "
                + "%d received an event in the last 5 s; events %d in total, per stream min/p50/max %d/%d/%d; "
                + "time to open p50/max %d/%d ms%n", attempted, opened, enough, minEvents, aliveLast5, totalEvents,
                pct(perStream, 0), pct(perStream, 50), pct(perStream, 100), pct(openMs, 50), pct(openMs, 100));
        System.out.printf(Locale.ROOT, "event lag (backend time stamp -> client) p50/p99/max: %d/%d/%d ms%n",
                pct(lagList, 50), pct(lagList, 99), pct(lagList, 100));
        System.out.printf(Locale.ROOT, "GET /1k meanwhile: %d sent, %d ok, %d failed/timed out (limit %d ms); "
                + "latency of all p50/p99/max %d/%d/%d ms; %d over 1 s%n", all.size(), ok.size(), getFailed,
                gets.timeout, pct(all, 50), pct(all, 99), pct(all, 100), over1s);
        failures.forEach((k, v) -> System.out.println("stream failures: " + v + " x " + k));
        getFailures.forEach(f -> System.out.println("GET failure: " + f));
        StringBuilder fj = new StringBuilder("{");
        failures.forEach((k, v) -> fj.append(fj.length() > 1 ? "," : "").append('"')
                .append(k.replace("\\", "\\\\").replace("\"", "'")).append("\":").append(v));
        fj.append('}');
        System.out.printf(Locale.ROOT, "RESULT {\"streams\":%d,\"attempted\":%d,\"opened\":%d,\"min_events\":%d,"
                + "\"with_min_events\":%d,\"alive_last5s\":%d,\"events\":%d,\"events_per_stream_p50\":%d,"
                + "\"lag_p50_ms\":%d,\"lag_p99_ms\":%d,\"lag_max_ms\":%d,\"gets\":%d,\"gets_ok\":%d,"
                + "\"gets_failed\":%d,\"get_p50_ms\":%d,\"get_p99_ms\":%d,\"get_max_ms\":%d,\"gets_over_1s\":%d,"
                + "\"get_timeout_ms\":%d,\"seconds\":%d,\"stream_failures\":%s}%n",
                n, attempted, opened, minEvents, enough, aliveLast5, totalEvents, pct(perStream, 50),
                pct(lagList, 50), pct(lagList, 99), pct(lagList, 100), all.size(), ok.size(), getFailed,
                pct(all, 50), pct(all, 99), pct(all, 100), over1s, gets.timeout, seconds, fj);
    }
}
