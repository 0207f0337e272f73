import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens SESSIONS WebSocket sessions to URL (Host: HOST), then each session echoes MESSAGE_BYTES
 * text messages one after another for SECONDS; prints sessions opened, messages echoed, failures.
 */
public final class Load {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int sessions = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        String message = "x".repeat(Integer.parseInt(args[3]));
        HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(20)).build();
        AtomicLong echoed = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<WebSocket> open = new ArrayList<>();
        List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            pending.add(http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    if (last) {
                        echoed.incrementAndGet();
                        if (!stop) {
                            ws.sendText(message, true);
                        }
                    }
                    ws.request(1);
                    return null;
                }

                @Override
                public void onError(WebSocket ws, Throwable error) {
                    failures.incrementAndGet();
                }
            }));
            if (pending.size() % 100 == 0) {
                CompletableFuture.allOf(pending.subList(pending.size() - 100, pending.size()).toArray(new CompletableFuture[0]))
                        .handle((r, e) -> null).get(60, TimeUnit.SECONDS);
            }
        }
        for (CompletableFuture<WebSocket> f : pending) {
            try {
                open.add(f.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                failures.incrementAndGet();
            }
        }
        System.out.println("opened " + open.size() + " of " + sessions);
        long start = System.nanoTime();
        long before = echoed.get();
        for (WebSocket ws : open) {
            ws.sendText(message, true);
        }
        Thread.sleep(seconds * 1000L);
        long after = echoed.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        stop = true;
        Thread.sleep(500);
        for (WebSocket ws : open) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
        }
        Thread.sleep(500);
        System.out.printf("sessions=%d messages=%d seconds=%.2f msgs_per_s=%.0f failures=%d%n",
                open.size(), after - before, elapsed, (after - before) / elapsed, failures.get());
        System.exit(0);
    }

    static volatile boolean stop;
}
