import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        BodyReader reader = new BodyReader(async, req.getInputStream(), resp);
        req.getInputStream().setReadListener(reader);
        reader.pull(true);
    }

    /** One request's body: read by one thread at a time, answered once. */
    private static final class BodyReader implements ReadListener {
        private final AsyncContext async;
        private final ServletInputStream in;
        private final HttpServletResponse resp;
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicInteger wip = new AtomicInteger();
        private final byte[] buffer = new byte[16384];
        private final ScheduledFuture<?> stall;
        private long count;

        BodyReader(AsyncContext async, ServletInputStream in, HttpServletResponse resp) {
            this.async = async;
            this.in = in;
            this.resp = resp;
            this.stall = OTHER.schedule(() -> finish(408, "stalled after " + count + " bytes"), 3, TimeUnit.SECONDS);
        }

        @Override
        public void onDataAvailable() {
            pull(true);
        }

        @Override
        public void onAllDataRead() {
            pull(true);
        }

        @Override
        public void onError(Throwable t) {
            finish(0, null);
        }

        void pull(boolean onContainerThread) {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                try {
                    while (!done.get() && in.isReady()) {
                        int r = in.read(buffer);
                        if (r < 0) {
                            break;
                        }
                        count += r;
                    }
                    if (!done.get() && in.isFinished()) {
                        finish(200, "bytes=" + count + " ok");
                    } else if (CROSS && onContainerThread && !done.get()) {
                        OTHER.execute(() -> pull(false));
                    }
                } catch (Exception e) {
                    finish(0, null);
                }
            } while (wip.decrementAndGet() != 0);
        }

        /** Answers {@code status} with {@code text} (none: the exchange broke), once. */
        private void finish(int status, String text) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            stall.cancel(false);
            if (text != null) {
                try {
                    resp.setStatus(status);
                    resp.getWriter().print(text);
                } catch (IOException e) {
                    // the client went away
                }
            }
            async.complete();
        }
    }
}
