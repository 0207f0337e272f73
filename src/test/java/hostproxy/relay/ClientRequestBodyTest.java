package hostproxy.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.junit.jupiter.api.Test;

/**
 * Orders of calls between the container's side and the backend's I/O thread, replayed on one
 * thread: the servlet input, the backend's channel and (once) the queue between them are stand-ins
 * that record what the relay asks of them, or act at a chosen moment.
 */
class ClientRequestBodyTest {

    @Test
    void theAttemptAfterAConnectFailureIsAskedForBytesThatArriveAfterTheFailedOneWasReleased() throws Exception {
        Input input = new Input();
        ClientRequestBody body = listening(input, new ConcurrentLinkedQueue<>());
        AsyncEntityProducer first = attempt(body);
        // attempt 1 failed to connect; its failure callback started attempt 2, which is sending already
        AsyncEntityProducer second = attempt(body);
        Channel channel = new Channel();
        second.produce(channel);
        first.releaseResources(); // HttpClient releases attempt 1 only after that callback returned

        input.arrive("0123456789");
        body.onDataAvailable();

        assertTrue(channel.outputRequests > 0, "the sending attempt is told that body bytes wait");
        second.produce(channel);
        assertEquals("0123456789", channel.written.toString(StandardCharsets.US_ASCII));
        assertTrue(channel.ended);
    }

    @Test
    void anAttemptReleasedAfterItsOwnWritesIsToldNothingMore() throws Exception {
        Input input = new Input();
        ClientRequestBody body = listening(input, new ConcurrentLinkedQueue<>());
        AsyncEntityProducer only = attempt(body);
        Channel channel = new Channel();
        only.produce(channel);
        only.releaseResources();

        input.arrive("0123456789");
        body.onDataAvailable();

        assertEquals(0, channel.outputRequests);
    }

    @Test
    void theLastChunkQueuedJustAfterTheBackendsSideLookedIsSentBeforeTheEnd() throws Exception {
        Input input = new Input();
        ArrivalAfterLooking chunks = new ArrivalAfterLooking();
        ClientRequestBody body = listening(input, chunks);
        AsyncEntityProducer producer = attempt(body);
        Channel channel = new Channel();
        // The whole body arrives, and the container's thread reads it and marks its end, in the
        // instant after the backend's I/O thread found the queue empty.
        chunks.onNextEmptyLook = () -> {
            input.arrive("0123456789");
            body.onDataAvailable();
        };

        for (int call = 0; call < 3 && !channel.ended; call++) {
            producer.produce(channel); // HttpCore calls again while bytes or the end are available
        }

        assertTrue(channel.ended);
        assertEquals("0123456789", channel.written.toString(StandardCharsets.US_ASCII),
                "the body ended with every byte the client sent");
    }

    /** A 10-byte body with {@code Content-Length}, read from {@code input} into {@code chunks} from now on. */
    private static ClientRequestBody listening(Input input, Queue<ByteBuffer> chunks) {
        ClientRequestBody body = new ClientRequestBody(new ClientBody(input, 10, false, Map::of), new ServletGate(),
                new NoEvents(), new ClientWait(), chunks);
        body.listen();
        return body;
    }

    /** One attempt's producer of the body (its call's other parts are never used here). */
    private static AsyncEntityProducer attempt(ClientRequestBody body) {
        return body.producer(new BackendCall(null, null, null, null));
    }

    /** The chunks' queue, which lets the test act once, right after the I/O thread found it empty. */
    private static final class ArrivalAfterLooking extends ConcurrentLinkedQueue<ByteBuffer> {
        Runnable onNextEmptyLook;

        @Override
        public ByteBuffer peek() {
            ByteBuffer head = super.peek();
            Runnable act = onNextEmptyLook;
            if (head == null && act != null) {
                onNextEmptyLook = null;
                act.run();
            }
            return head;
        }
    }

    /** A servlet input the test feeds: ready while it holds bytes, finished once all were read. */
    private static final class Input extends ServletInputStream {
        private final Queue<Byte> bytes = new ArrayDeque<>();
        private int total;
        private int read;

        void arrive(String text) {
            for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
                bytes.add(b);
            }
            total += text.length();
        }

        @Override
        public boolean isFinished() {
            return read == 10;
        }

        @Override
        public boolean isReady() {
            return !bytes.isEmpty() || isFinished();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            // the test calls the listener itself
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b) {
            if (isFinished()) {
                return -1;
            }
            int n = 0;
            while (n < b.length && !bytes.isEmpty()) {
                b[n++] = bytes.poll();
            }
            read += n;
            assert read <= total;
            return n;
        }
    }

    /** The backend connection's side: takes everything written. */
    private static final class Channel implements DataStreamChannel {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        int outputRequests;
        boolean ended;

        @Override
        public void requestOutput() {
            outputRequests++;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            byte[] b = new byte[n];
            src.get(b);
            written.writeBytes(b);
            return n;
        }

        @Override
        public void endStream() {
            ended = true;
        }

        @Override
        public void endStream(List<? extends Header> trailers) {
            ended = true;
        }
    }

    private static final class NoEvents implements ClientRequestBody.Events {
        @Override
        public void bodyKnown(boolean empty) {
        }

        @Override
        public void bodyFailed(Throwable cause) {
            throw new AssertionError(cause);
        }

        @Override
        public void tooLarge(long limit) {
            throw new AssertionError(limit);
        }
    }
}
