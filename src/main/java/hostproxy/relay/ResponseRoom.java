package hostproxy.relay;

import java.io.IOException;
import java.util.function.Consumer;
import org.apache.hc.core5.http.nio.CapacityChannel;

/**
 * Back-pressure on the response's way, client ← backend: the client's side reports each write
 * ({@link #made}), and the backend may send as many bytes more. The backend's side is HttpCore's
 * {@link CapacityChannel} of the attempt whose response is relayed, which HttpCore hands over only
 * once its initial window (64 KiB) is used up; room made before is owed to it then. So the backend
 * is read at most about 64 KiB ahead of the client. (The request's way, client → backend, is
 * {@link ClientRequestBody}'s producer: it reads the client only while HttpCore asks for bytes.)
 */
final class ResponseRoom {
    private CapacityChannel channel; // guarded by this
    private Consumer<IOException> onFailure; // guarded by this
    private int owed; // guarded by this

    /** The client's side wrote {@code bytes} to the client's connection. */
    void made(int bytes) {
        CapacityChannel c;
        Consumer<IOException> failed;
        synchronized (this) {
            if (channel == null) {
                owed += bytes;
                return;
            }
            c = channel;
            failed = onFailure;
        }
        update(c, bytes, failed);
    }

    /** The backend's side: the attempt's channel, and what a failed update fails. */
    void channel(CapacityChannel c, Consumer<IOException> failed) {
        int due;
        synchronized (this) {
            channel = c;
            onFailure = failed;
            due = owed;
            owed = 0;
        }
        if (due > 0) {
            update(c, due, failed);
        }
    }

    private static void update(CapacityChannel c, int bytes, Consumer<IOException> failed) {
        try {
            c.update(bytes);
        } catch (IOException e) {
            failed.accept(e);
        }
    }
}
