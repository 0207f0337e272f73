package rehearsal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fills the container's bounded caches before the baseline is measured, so that the quiet phases
 * compare like with like and what they show growing is growth.
 *
 * <p>Tomcat keeps up to {@code processorCache} (200) request processors at rest, each with its
 * request and response buffers: about 90 KiB, and 110 KiB once it has served a body of 128 KiB or
 * more, for which hostproxy asks a 32 KiB response buffer (Tomcat keeps a grown buffer up to
 * 128 KiB). A processor is cached when its exchange ends, so the cache fills as peaks of concurrent
 * exchanges come, and its buffers grow as big downloads reach it: up to about 20 MiB over hours,
 * bounded, not a leak (docs/reliability.md). This primer holds {@code exchanges} big downloads in
 * flight at once, from {@code slow} (which writes 8 KiB every 20 ms, so each lasts seconds), so
 * that the cache is full and grown at the baseline; {@code slow} closes each connection after its
 * answer, so that the backend pool is not what fills up instead.
 */
final class CachePrimer {
    private CachePrimer() {
    }

    /** @return how many of the downloads completed whole */
    static int prime(InetSocketAddress proxy, int exchanges, long size) throws InterruptedException {
        ExecutorService threads = Executors.newFixedThreadPool(exchanges);
        AtomicInteger whole = new AtomicInteger();
        for (int i = 0; i < exchanges; i++) {
            String id = "prime-" + i;
            threads.execute(() -> {
                try (ProxyConnection c = new ProxyConnection(proxy, 30_000)) {
                    c.request("GET", "/data?size=" + size + "&close=1", "slow", id); // no backend connection kept
                    Wire.Head head = c.readHead();
                    if (head != null && head.status() == 200 && Wire.readBody(c.in(), head, (b, off, len) -> { })) {
                        whole.incrementAndGet();
                    }
                } catch (IOException e) {
                    // counted as not whole
                }
            });
        }
        threads.shutdown();
        threads.awaitTermination(120, TimeUnit.SECONDS);
        threads.shutdownNow();
        return whole.get();
    }
}
