package rehearsal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Some traffic of the rehearsal: threads that each repeat one kind of client from {@link #start()}
 * until {@link #stop()} (the end of a busy phase), which waits for them (bounded).
 */
abstract class Load {
    private final String name;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    Load(String name) {
        this.name = name;
    }

    /** How many threads, and what each repeats while the phase is busy. */
    abstract int threads();

    abstract void once(int thread) throws Exception;

    /** What to do to end at once what a thread is blocked in (a stream's socket): nothing by default. */
    void interrupt() {
    }

    boolean running() {
        return running;
    }

    void start() {
        running = true;
        threads.clear();
        for (int i = 0; i < threads(); i++) {
            int n = i;
            Thread t = new Thread(() -> loop(n), name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void loop(int n) {
        while (running) {
            try {
                once(n);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (running) {
                    System.err.println(name + ": " + e);
                    pause(1000);
                }
            }
        }
    }

    /** Ends the phase: each thread finishes what it is doing (streams are ended), within 120 s. */
    void stop() throws InterruptedException {
        running = false;
        interrupt();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                System.err.println(name + ": " + t.getName() + " still busy after the phase ended");
            }
        }
    }

    /** One step a thread repeats; {@code load} gives it {@link #pause} and {@link #running}. */
    interface Step {
        void run(Load load, int thread) throws Exception;
    }

    /** A load of {@code threads} threads repeating {@code step}. */
    static Load of(String name, int threads, Step step) {
        return new Load(name) {
            @Override
            int threads() {
                return threads;
            }

            @Override
            void once(int thread) throws Exception {
                step.run(this, thread);
            }
        };
    }

    /** Waits {@code millis}, or less if the phase ends meanwhile. */
    void pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (running && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Math.min(100_000_000L, deadline - System.nanoTime()));
        }
    }

    /**
     * Spaces the threads' exchanges at {@code perSecond} in all: each takes the next slot and
     * waits for its time. Threads busy longer than a slot leave it to the others; the rate falls
     * only when all are busy.
     */
    static final class Pacer {
        private final long interval;
        private long next = System.nanoTime();

        Pacer(double perSecond) {
            interval = (long) (1_000_000_000L / perSecond);
        }

        void awaitSlot() {
            long slot;
            synchronized (this) {
                long now = System.nanoTime();
                slot = Math.max(next, now - interval);
                next = slot + interval;
            }
            LockSupport.parkNanos(slot - System.nanoTime());
        }
    }
}
