package rehearsal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One backend replica, a process of its own so that it can be killed alone: a small HTTP/1.1
 * server on one loopback address, a thread per connection, answering what {@link Answers} says.
 * The driver steers it through standard input ({@code hang}, {@code health fail},
 * {@code health pass}); SIGTERM drains it as a container's stop would: it takes no new connection,
 * ends its event streams and WebSockets cleanly, finishes what is in flight and exits. It exits
 * too when its standard input closes (the driver is gone), so no replica outlives a run.
 *
 * <pre>java rehearsal.Replica NAME ADDRESS PORT ROLE</pre> ROLE: {@code normal}, {@code slow}
 * (answers late and writes slowly) or {@code malformed} (see {@link Malformed}).
 */
public final class Replica {
    private static final long DRAIN_BOUND_MS = 60_000;
    final String name;
    final String role;
    volatile boolean hung;
    volatile boolean healthy = true;
    volatile boolean draining;
    /** Connections waiting for their next request: closed at once by a drain. */
    final Set<Socket> idle = ConcurrentHashMap.newKeySet();
    final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Open WebSockets and event streams, ended cleanly by a drain. */
    final Set<Answers.Stream> streams = ConcurrentHashMap.newKeySet();
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "replica-conn");
        t.setDaemon(true);
        return t;
    });

    private Replica(String name, String address, int port, String role) throws IOException {
        this.name = name;
        this.role = role;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(address), port), 512);
    }

    public static void main(String[] args) throws Exception {
        Replica replica = new Replica(args[0], args[1], Integer.parseInt(args[2]), args[3]);
        Runtime.getRuntime().addShutdownHook(new Thread(replica::drain, "replica-drain"));
        Thread commands = new Thread(replica::readCommands, "replica-commands");
        commands.setDaemon(true);
        commands.start();
        System.out.println("READY " + args[0] + " " + args[1] + ":" + args[2]);
        System.out.flush();
        replica.acceptLoop();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return; // closed by the drain
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            new Answers(this, socket).serve();
        } catch (IOException | RuntimeException e) {
            // the peer went away, or a drain closed the connection
        } finally {
            idle.remove(socket);
            open.remove(socket);
        }
    }

    private void readCommands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                switch (line.trim()) {
                    case "hang" -> hung = true;
                    case "health fail" -> healthy = false;
                    case "health pass" -> healthy = true;
                    default -> System.err.println("unknown command: " + line);
                }
            }
        } catch (IOException e) {
            // the driver is gone
        }
        Runtime.getRuntime().halt(3); // no driver: no replica left behind
    }

    /** SIGTERM: no new connection, idle ones closed, streams ended cleanly, in-flight exchanges finished. */
    private void drain() {
        draining = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : idle) {
            closeQuietly(s);
        }
        for (Answers.Stream s : streams) {
            s.endForDrain();
        }
        long deadline = System.currentTimeMillis() + DRAIN_BOUND_MS;
        while (!open.isEmpty() && System.currentTimeMillis() < deadline) {
            for (Socket s : idle) {
                closeQuietly(s);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
        System.out.println("DRAINED " + name + (open.isEmpty() ? "" : " with " + open.size() + " connections still open"));
        System.out.flush();
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
