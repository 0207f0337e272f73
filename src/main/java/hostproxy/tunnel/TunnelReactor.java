package hostproxy.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The backend side of every tunnel: one selector on one thread of this application's own
 * ({@code hostproxy-tunnel-io}), started with the application and joined when it stops. It only
 * moves bytes that are ready and calls back into {@link Tunnel}; it never waits on anything else.
 * Once a second it runs the idle check.
 */
final class TunnelReactor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TunnelReactor.class.getName());
    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Runnable everySecond;
    private volatile boolean running = true;

    TunnelReactor(Runnable everySecond) {
        this.everySecond = everySecond;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for tunnels", e);
        }
        this.thread = new Thread(this::run, "hostproxy-tunnel-io");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Registers the backend channel (non-blocking) for reads, from the calling thread (a selector
     * does not block registration while it selects, JDK 11 and later).
     */
    SelectionKey register(SocketChannel channel, Tunnel tunnel) throws ClosedChannelException {
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ, tunnel);
        selector.wakeup();
        return key;
    }

    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Turns interest in {@code ops} on or off; safe from any thread. */
    void interest(SelectionKey key, int ops, boolean on) {
        try {
            if (on) {
                key.interestOpsOr(ops);
                selector.wakeup();
            } else {
                key.interestOpsAnd(~ops);
            }
        } catch (CancelledKeyException e) {
            // the tunnel is closing
        }
    }

    private void run() {
        long nextTick = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (running) {
            try {
                selector.select(1000);
                for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                    task.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    Tunnel tunnel = (Tunnel) key.attachment();
                    try {
                        if (key.isValid() && key.isWritable()) {
                            tunnel.backendWritable();
                        }
                        if (key.isValid() && key.isReadable()) {
                            tunnel.backendReadable();
                        }
                    } catch (CancelledKeyException e) {
                        // closed meanwhile
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "tunnel failed", e);
                        tunnel.close("internal error: " + e);
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() - nextTick >= 0) {
                    nextTick = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    everySecond.run();
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "tunnel selector failed", e); // and the loop goes on
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the tunnel selector failed", e);
        }
    }

    /** Stops the thread and joins it (bounded), so that no thread outlives the application. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
