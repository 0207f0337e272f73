package rehearsal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What became of each exchange, as its client saw it, one journal line each:
 * <ul>
 * <li>{@code ok}: the answer it asked for, byte for byte, naming its request;</li>
 * <li>{@code failed}: an error status, or visibly broken (connection ended or reset before the
 *     framing completed, stream reset, no answer in time): to be attributed to an injected fault;</li>
 * <li>{@code mixup}: a complete-looking answer that is not this request's (another id, other
 *     bytes, a body short of what was sent, events out of order): never allowed;</li>
 * <li>{@code vanished}: the client left on purpose before the end.</li>
 * </ul>
 */
final class Outcomes {
    private final Journal journal;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong done = new AtomicLong();

    Outcomes(Journal journal) {
        this.journal = journal;
    }

    /** A new request id: kind, a sequence number, so that every id in the run is unique. */
    String newId(String kind) {
        return kind + "-" + sequence.incrementAndGet();
    }

    /**
     * @param kind   what the client did: get, post, h2get, h2post, sse, ws, bigget, bigpost, slowread, slowwrite, vanish...
     * @param host   the service asked for (app, slow, broken)
     * @param start  when the client began, epoch ms
     * @param status the HTTP status seen, 0 if none
     * @param detail what was wrong, or a short note
     */
    void record(String kind, String id, String host, long start, String outcome, int status, String detail, long bytes) {
        long end = System.currentTimeMillis();
        done.incrementAndGet();
        journal.write("t0", start, "t1", end, "kind", kind, "id", id, "host", host, "outcome", outcome, "status", status,
                "bytes", bytes, "detail", detail == null ? "" : detail);
    }

    void flush() {
        journal.flush();
    }

    long done() {
        return done.get();
    }
}
