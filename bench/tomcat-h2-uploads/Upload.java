import jakarta.servlet.*;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.*;
import java.io.IOException;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

/**
 * Reads a request body with a ReadListener, as the servlet specification's examples do, and
 * answers {@code bytes=<count> ok} once the stream says it is finished; a body not finished within
 * 3 s is answered 408 {@code stalled after <count> bytes}. {@code -Dctl.mode=container}: it reads
 * only in Tomcat's callbacks; {@code cross}: after a callback found nothing more to read, another
 * thread asks {@code isReady()} once more (as hostproxy's backend I/O thread does).
 */
@WebServlet(urlPatterns = "/upload", asyncSupported = true)
public class Upload extends HttpServlet {
    static final ScheduledExecutorService OTHER = Executors.newScheduledThreadPool(2);
    static final boolean CROSS = "cross".equals(System.getProperty("ctl.mode"));

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AsyncContext ac = req.startAsync();
        ac.setTimeout(0);
        ServletInputStream in = req.getInputStream();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger wip = new AtomicInteger();
        long[] n = {0};
        byte[] buf = new byte[16384];
        ScheduledFuture<?> timer = OTHER.schedule(() -> {
            if (done.compareAndSet(false, true)) {
                try {
                    resp.setStatus(408);
                    resp.getWriter().print("stalled after " + n[0] + " bytes");
                } catch (IOException e) { }
                ac.complete();
            }
        }, 3, TimeUnit.SECONDS);
        Runnable[] pull = new Runnable[2]; // [0] on container threads, [1] on another thread (once per container callback)
        for (int k = 0; k < 2; k++) {
          boolean container = k == 0;
          pull[k] = () -> {
            if (wip.getAndIncrement() != 0) return;
            do {
                try {
                    while (!done.get() && in.isReady()) {
                        int r = in.read(buf);
                        if (r < 0) break;
                        n[0] += r;
                    }
                    if (!done.get() && in.isFinished() && done.compareAndSet(false, true)) {
                        timer.cancel(false);
                        resp.getWriter().print("bytes=" + n[0] + " ok");
                        ac.complete();
                    } else if (CROSS && container && !done.get()) {
                        OTHER.execute(pull[1]);
                    }
                } catch (Exception e) {
                    if (done.compareAndSet(false, true)) { timer.cancel(false); ac.complete(); }
                }
            } while (wip.decrementAndGet() != 0);
          };
        }
        in.setReadListener(new ReadListener() {
            public void onDataAvailable() { pull[0].run(); }
            public void onAllDataRead() { pull[0].run(); }
            public void onError(Throwable t) { if (done.compareAndSet(false, true)) { timer.cancel(false); ac.complete(); } }
        });
        pull[0].run();
    }
}
