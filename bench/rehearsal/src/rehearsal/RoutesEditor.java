package rehearsal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Edits the proxy's routes file while it runs, as an operator would: a new version every
 * {@code everyMillis}, written in place or renamed over the file in turns, each changing the
 * options of the routes in use ({@code responseTimeout}) and adding or removing a route no traffic
 * uses. Health checks are set per route ({@code healthCheckPath=/health}), for all but {@code grpc}.
 * Nothing under way may notice. Each edit is journalled as a fault ({@code routes}).
 */
final class RoutesEditor extends Load {
    private final Path file;
    private final Journal faults;
    private final long everyMillis;
    private final int backendPort;
    private int version;

    RoutesEditor(Path file, Journal faults, long everyMillis, int backendPort) {
        super("routes");
        this.file = file;
        this.faults = faults;
        this.everyMillis = everyMillis;
        this.backendPort = backendPort;
    }

    @Override
    int threads() {
        return 1;
    }

    @Override
    void once(int thread) throws IOException {
        pause(everyMillis);
        if (running()) {
            write(++version);
        }
    }

    /** Version {@code v} of the file; version 0 is the one the proxy starts with. */
    void write(int v) throws IOException {
        String routes = "# routes of the rehearsal, version " + v + " (bench/rehearsal edits it while the proxy runs)\n"
                + "app      -    healthCheckPath=/health   responseTimeout=" + (v % 2 == 0 ? "60s" : "59s") + "\n"
                + "slow     -    healthCheckPath=/health   responseTimeout=" + (v % 3 == 0 ? "30s" : "31s") + "\n"
                + "broken   -    healthCheckPath=/health\n"
                // gRPC over HTTP/2 with prior knowledge; no health checks: a gRPC server answers a plain GET with an error
                + "grpc     h2c://grpc:" + backendPort + "   responseTimeout=" + (v % 2 == 0 ? "60s" : "59s") + "\n"
                // a route no traffic uses, to a host no other route or request names: a route whose target
                // is a backend in use (http://app:...) makes the proxy look that backend up afresh, its
                // health checks started over (docs/reliability.md, "What they found")
                + (v % 4 < 2 ? "" : "spare" + v + "   http://spare:" + backendPort + "   maxBodySize=10MB\n");
        if (v % 2 == 0) {
            Files.writeString(file, routes); // an editor writing in place
        } else {
            Path next = file.resolveSibling(file.getFileName() + ".new");
            Files.writeString(next, routes);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        faults.write("t", System.currentTimeMillis(), "event", "routes", "version", v, "how", v % 2 == 0 ? "in place" : "renamed over");
        faults.flush();
    }
}
