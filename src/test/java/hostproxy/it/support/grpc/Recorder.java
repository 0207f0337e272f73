package hostproxy.it.support.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What a call's response stream delivered: its messages as they come, then its status. Every wait is bounded. */
public final class Recorder<T> implements StreamObserver<T> {
    private static final long WAIT_SECONDS = 30;

    private final BlockingQueue<T> messages = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Status status;

    @Override
    public void onNext(T message) {
        count.incrementAndGet();
        messages.add(message);
    }

    @Override
    public void onError(Throwable t) {
        status = Status.fromThrowable(t);
        ended.countDown();
    }

    @Override
    public void onCompleted() {
        status = Status.OK;
        ended.countDown();
    }

    /** The next message not taken yet, waiting for it. */
    public T take() throws InterruptedException {
        T message = messages.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("no message within " + WAIT_SECONDS + " s (call ended: " + status + ")");
        }
        return message;
    }

    /** Messages received in all, taken or not. */
    public int count() {
        return count.get();
    }

    public void awaitEnd() throws InterruptedException {
        if (!ended.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the call did not end within " + WAIT_SECONDS + " s");
        }
    }

    public Status status() {
        return status;
    }

    public void assertOk() {
        assertStatus(Status.Code.OK);
    }

    public void assertStatus(Status.Code code) {
        assertEquals(code, status.getCode(), "status " + status);
    }
}
