package rehearsal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * A download ({@code GET /data}) or an upload ({@code POST /upload}) over a {@link ProxyConnection},
 * every byte checked against the request id's {@link Content}, the outcome recorded.
 */
final class Http1Exchanges {
    private final Outcomes outcomes;

    Http1Exchanges(Outcomes outcomes) {
        this.outcomes = outcomes;
    }

    /** @param bytesPerSecond 0: read as fast as the proxy sends; else a slow reader */
    void get(ProxyConnection c, String kind, String host, long size, boolean chunked, long bytesPerSecond) {
        String id = outcomes.newId(kind);
        long start = System.currentTimeMillis();
        Wire.Head head = null;
        try {
            c.request("GET", "/data?size=" + size + "&chunked=" + (chunked ? 1 : 0), host, id);
            head = c.readHead();
            if (head == null) {
                c.close();
                outcomes.record(kind, id, host, start, "failed", 0, "connection ended before an answer", 0);
                return;
            }
            if (head.status() != 200) {
                refused(c, kind, id, host, start, head, 0);
                return;
            }
            Content.Check check = new Content.Check(id);
            boolean complete = Wire.readBody(c.in(), head, paced(check, bytesPerSecond));
            c.after(head, complete);
            judge(kind, id, host, start, head, complete, check.exact(size), check.difference(size), check.received());
        } catch (IOException e) {
            c.close();
            outcomes.record(kind, id, host, start, "failed", head == null ? 0 : head.status(), describe(e), 0);
        }
    }

    /** @param bytesPerSecond 0: send as fast as the proxy takes; else a slow writer */
    void post(ProxyConnection c, String kind, String host, long size, long bytesPerSecond) {
        String id = outcomes.newId(kind);
        long start = System.currentTimeMillis();
        Wire.Head head = null;
        try {
            c.request("POST", "/upload", host, id, "Content-Length: " + size, "Content-Type: application/octet-stream");
            Content.Digest sent = new Content.Digest();
            send(c.out(), new Content(id), size, sent, bytesPerSecond);
            head = c.readHead();
            if (head == null) {
                c.close();
                outcomes.record(kind, id, host, start, "failed", 0, "connection ended before an answer", size);
                return;
            }
            if (head.status() != 200) {
                refused(c, kind, id, host, start, head, size);
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            boolean complete = Wire.readBody(c.in(), head, body::write);
            c.after(head, complete);
            String expected = "bytes=" + size + " sha256=" + sent.hex() + "\n";
            String got = body.toString(StandardCharsets.US_ASCII);
            judge(kind, id, host, start, head, complete, expected.equals(got), "the backend got " + got.trim(), size);
        } catch (IOException e) {
            c.close();
            outcomes.record(kind, id, host, start, "failed", head == null ? 0 : head.status(), describe(e), size);
        }
    }

    private void judge(String kind, String id, String host, long start, Wire.Head head, boolean complete, boolean exact,
            String difference, long bytes) {
        String echo = head.field("x-echo-id");
        if (!complete) {
            outcomes.record(kind, id, host, start, "failed", 200, "broken off: " + difference, bytes);
        } else if (!id.equals(echo)) {
            outcomes.record(kind, id, host, start, "mixup", 200, "the answer names request " + echo, bytes);
        } else if (!exact) {
            outcomes.record(kind, id, host, start, "mixup", 200, "complete-looking but " + difference, bytes);
        } else {
            outcomes.record(kind, id, host, start, "ok", 200, head.field("x-replica"), bytes);
        }
    }

    /** An error status: failed, with the first line the proxy gave as its reason. */
    /** @param bytes what the client sent (an upload's size), for the record */
    private void refused(ProxyConnection c, String kind, String id, String host, long start, Wire.Head head, long bytes) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete = Wire.readBody(c.in(), head, (b, off, len) -> body.write(b, off, Math.min(len, 300)));
        c.after(head, complete);
        String reason = body.toString(StandardCharsets.UTF_8).lines().findFirst().orElse("");
        outcomes.record(kind, id, host, start, "failed", head.status(), "status " + head.status() + ": " + reason, bytes);
    }

    static void send(OutputStream out, Content content, long size, Wire.Sink alsoTo, long bytesPerSecond) throws IOException {
        byte[] buffer = new byte[bytesPerSecond > 0 ? 8 * 1024 : 64 * 1024];
        long begin = System.nanoTime();
        for (long sent = 0; sent < size; ) {
            int n = (int) Math.min(buffer.length, size - sent);
            content.next(buffer, 0, n);
            out.write(buffer, 0, n);
            alsoTo.accept(buffer, 0, n);
            sent += n;
            if (bytesPerSecond > 0) {
                out.flush();
                LockSupport.parkNanos(begin + sent * 1_000_000_000L / bytesPerSecond - System.nanoTime());
            }
        }
        out.flush();
    }

    /** A sink that takes bytes no faster than {@code bytesPerSecond} (0: no limit). */
    static Wire.Sink paced(Wire.Sink sink, long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            return sink;
        }
        long begin = System.nanoTime();
        long[] taken = {0};
        return (b, off, len) -> {
            sink.accept(b, off, len);
            taken[0] += len;
            LockSupport.parkNanos(begin + taken[0] * 1_000_000_000L / bytesPerSecond - System.nanoTime());
        };
    }

    static String describe(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "no answer in time (" + e.getMessage() + ")";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
