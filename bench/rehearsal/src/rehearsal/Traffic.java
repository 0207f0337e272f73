package rehearsal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** The request traffic of a busy phase, each kind a {@link Load}. */
final class Traffic {
    private static final long MIB = 1024 * 1024;

    private Traffic() {
    }

    /** A size from 0 to {@code max}, spread evenly over its orders of magnitude (most are small, some large). */
    static long size(long max) {
        return (long) Math.floor(Math.pow(max + 1, ThreadLocalRandom.current().nextDouble())) - 1;
    }

    /** GETs (half with chunked answers) and POSTs of up to 1 MiB to {@code app} over HTTP/1.1 keep-alive connections. */
    static Load steady(InetSocketAddress proxy, Http1Exchanges exchanges, double perSecond, int connections) {
        Load.Pacer pacer = new Load.Pacer(perSecond);
        ProxyConnection[] own = connections(proxy, connections, 90_000);
        return Load.of("steady", connections, (load, t) -> {
            pacer.awaitSlot();
            ThreadLocalRandom r = ThreadLocalRandom.current();
            if (r.nextInt(10) < 7) {
                exchanges.get(own[t], "get", "app", size(MIB), r.nextBoolean(), 0);
            } else {
                exchanges.post(own[t], "post", "app", size(MIB), 0);
            }
            closeAtEnd(load, own[t]);
        });
    }

    /** The same over HTTP/2: streams of a few shared connections (the JDK's client). */
    static Load http2(List<Http2Exchanges> clients, double perSecond, int threads) {
        Load.Pacer pacer = new Load.Pacer(perSecond);
        return Load.of("h2", threads, (load, t) -> {
            pacer.awaitSlot();
            Http2Exchanges client = clients.get(t % clients.size());
            if (ThreadLocalRandom.current().nextInt(10) < 7) {
                client.get("app", size(MIB));
            } else {
                client.post("app", size(MIB));
            }
        });
    }

    /** GETs to one other service: {@code slow} (late, slowly written answers) or {@code broken} (malformed ones). */
    static Load service(InetSocketAddress proxy, Http1Exchanges exchanges, String host, double perSecond, int connections, long max) {
        Load.Pacer pacer = new Load.Pacer(perSecond);
        ProxyConnection[] own = connections(proxy, connections, 90_000);
        return Load.of(host, connections, (load, t) -> {
            pacer.awaitSlot();
            exchanges.get(own[t], host, host, 64 + size(max - 64), ThreadLocalRandom.current().nextBoolean(), 0);
            closeAtEnd(load, own[t]);
        });
    }

    /** Readers taking 2 MiB downloads at {@code rate} bytes/s, writers sending 1 MiB uploads at it. */
    static Load slowClients(InetSocketAddress proxy, Http1Exchanges exchanges, int each, long rate) {
        ProxyConnection[] own = connections(proxy, 2 * each, 90_000);
        return Load.of("slow-clients", 2 * each, (load, t) -> {
            if (t % 2 == 0) {
                exchanges.get(own[t], "slowread", "app", 2 * MIB, false, rate);
            } else {
                exchanges.post(own[t], "slowwrite", "app", MIB, rate);
            }
            closeAtEnd(load, own[t]);
        });
    }

    /** One download and one upload of {@code bytes} each per phase, as fast as they go. */
    static Load big(InetSocketAddress proxy, Http1Exchanges exchanges, long bytes) {
        return Load.of("big", 2, (load, t) -> {
            try (ProxyConnection c = new ProxyConnection(proxy, 120_000)) {
                if (t == 0) {
                    exchanges.get(c, "bigget", "app", bytes, false, 0);
                } else {
                    exchanges.post(c, "bigpost", "app", bytes, 0);
                }
            }
            while (load.running()) {
                load.pause(1_000);
            }
        });
    }

    /**
     * Clients that go away mid-exchange with a reset, every {@code intervalMillis}, in turn: in a
     * download, in an upload, in an event stream, in a WebSocket session, right after the request.
     */
    static Load vanishing(InetSocketAddress proxy, Outcomes outcomes, long intervalMillis) {
        AtomicInteger turn = new AtomicInteger();
        return Load.of("vanish", 1, (load, t) -> {
            load.pause(intervalMillis);
            int kind = turn.getAndIncrement() % 5;
            String id = outcomes.newId("vanish");
            long start = System.currentTimeMillis();
            try (ProxyConnection c = new ProxyConnection(proxy, 30_000)) {
                int status = vanish(c, kind, id);
                if (status == 200 || status == 101) {
                    outcomes.record("vanish", id, "app", start, "vanished", status, VANISH_KINDS[kind], 0);
                } else {
                    outcomes.record("vanish", id, "app", start, "failed", status, VANISH_KINDS[kind] + ": status " + status, 0);
                }
            } catch (IOException e) {
                outcomes.record("vanish", id, "app", start, "failed", 0, VANISH_KINDS[kind] + ": " + Http1Exchanges.describe(e), 0);
            }
        });
    }

    private static final String[] VANISH_KINDS = {"in a 1 MiB download", "in a 1 MiB upload", "in an event stream",
        "in a WebSocket session", "right after the request"};

    /** @return the status seen before leaving (200 when it left before any answer, on purpose) */
    private static int vanish(ProxyConnection c, int kind, String id) throws IOException {
        switch (kind) {
            case 0 -> c.request("GET", "/data?size=" + MIB, "app", id);
            case 1 -> {
                c.request("POST", "/upload", "app", id, "Content-Length: " + MIB);
                Http1Exchanges.send(c.out(), new Content(id), 100 * 1024, (b, off, len) -> { }, 0);
                c.vanish();
                return 200;
            }
            case 2 -> c.request("GET", "/sse?events=30", "app", id, "Accept: text/event-stream");
            case 3 -> c.request("GET", "/ws", "app", id, "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Key: " + WsFrames.newKey(), "Sec-WebSocket-Version: 13");
            default -> {
                c.request("GET", "/data?size=" + MIB, "app", id);
                c.out().flush();
                c.vanish();
                return 200;
            }
        }
        Wire.Head head = c.readHead();
        int status = head == null ? 0 : head.status();
        if (status == 101) {
            WsFrames.write(c.out(), WsFrames.TEXT, (id + " 1 hello").getBytes(StandardCharsets.UTF_8), true);
            WsFrames.read(c.in());
        } else if (status == 200) {
            c.in().readNBytes(kind == 2 ? 100 : 10 * 1024); // a first piece: an event stream's first two or three events
        }
        c.vanish();
        return status;
    }

    private static ProxyConnection[] connections(InetSocketAddress proxy, int n, int readTimeoutMillis) {
        ProxyConnection[] c = new ProxyConnection[n];
        for (int i = 0; i < n; i++) {
            c[i] = new ProxyConnection(proxy, readTimeoutMillis);
        }
        return c;
    }

    /** Between phases no client connection stays open (the quiet phase counts the proxy's). */
    private static void closeAtEnd(Load load, ProxyConnection c) {
        if (!load.running()) {
            c.close();
        }
    }
}
