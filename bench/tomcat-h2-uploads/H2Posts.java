import java.net.URI;
import java.net.http.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

/**
 * Uploads from 32 threads over two HTTP/2 connections of the JDK's client: three in four of under
 * 20 bytes, the rest up to 200 KB. Prints every one not answered 200 {@code bytes=<its size>}.
 * Arguments: base URL, threads, seconds.
 */
public class H2Posts {
    public static void main(String[] a) throws Exception {
        String base = a[0]; int threads = Integer.parseInt(a[1]); int seconds = Integer.parseInt(a[2]);
        HttpClient[] clients = new HttpClient[2];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            clients[i].send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.discarding()); // h2c upgrade
        }
        AtomicLong ok = new AtomicLong(), bad = new AtomicLong(), seq = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                Random r = new Random();
                while (System.nanoTime() < end) {
                    long n = seq.incrementAndGet();
                    int size = r.nextInt(4) == 0 ? r.nextInt(200_000) : r.nextInt(20);
                    byte[] body = new byte[size];
                    r.nextBytes(body);
                    String id = "h2s-" + n;
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> resp = clients[(int) (n % clients.length)].send(HttpRequest.newBuilder(URI.create(base + "/upload"))
                                .header("X-Request-Id", id).timeout(Duration.ofSeconds(20))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (resp.statusCode() == 200 && resp.body().startsWith("bytes=" + size + " ")) ok.incrementAndGet();
                        else { bad.incrementAndGet(); System.out.printf("BAD %s size=%d status=%d %dms %s%n", id, size, resp.statusCode(), (System.nanoTime()-t0)/1_000_000, resp.body().trim()); }
                    } catch (Exception e) {
                        bad.incrementAndGet(); System.out.printf("ERR %s size=%d %dms %s%n", id, size, (System.nanoTime()-t0)/1_000_000, e);
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 60, TimeUnit.SECONDS);
        System.out.printf("ok=%d bad=%d%n", ok.get(), bad.get());
        System.exit(0);
    }
}
