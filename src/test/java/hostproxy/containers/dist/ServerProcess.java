package hostproxy.containers.dist;

import hostproxy.it.support.FreePorts;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A servlet container started from its real distribution as a process of its own, listening on a
 * loopback port, its output in a log file under {@code target/}. Stopped like {@code docker stop}:
 * SIGTERM, then SIGKILL after a bound.
 */
public final class ServerProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final int port;

    private ServerProcess(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code command} with its output (both streams) written to {@code log}. */
    public static ServerProcess start(String name, ProcessBuilder command, Path log, int port) throws IOException {
        Files.createDirectories(log.getParent());
        command.redirectErrorStream(true).redirectOutput(log.toFile());
        return new ServerProcess(name, command.start(), log, port);
    }

    /** A TCP port on 127.0.0.1, free a moment ago, below the ephemeral range ({@link FreePorts}). */
    public static int freeLoopbackPort() {
        return FreePorts.freeOn("127.0.0.1");
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    /** The log so far, for an assertion message. */
    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** {@code GET / HTTP/1.1} with the given Host, or {@code null} while nothing answers. */
    public RawResponse probe(String host) {
        try {
            return RawClient.exchange(port, "GET / HTTP/1.1\nHost: " + host + "\nConnection: close");
        } catch (IOException notYet) {
            return null;
        }
    }

    /**
     * Waits, at most {@code bound}, until the answer to {@code GET /} with an IP-literal Host
     * satisfies {@code ready}; fails with the log when the process exits or the bound passes.
     */
    public void await(Predicate<RawResponse> ready, Duration bound, String what) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited (" + process.exitValue() + ") before " + what + ":\n" + logText());
            }
            RawResponse r = probe("127.0.0.1");
            if (r != null && ready.test(r)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + ": not " + what + " within " + bound.toSeconds() + " s:\n" + logText());
    }

    /** Whether an answer to an IP-literal Host is hostproxy's (its one-line 400), not the container's own. */
    public static boolean isHostproxy(RawResponse r) {
        return r != null && r.status() == 400 && r.text().equals("Host is an IP address; name a service instead\n");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
