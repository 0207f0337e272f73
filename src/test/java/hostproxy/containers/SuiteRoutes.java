package hostproxy.containers;

import hostproxy.it.support.Backends;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The suite's routes file (setting {@code routesFile}), mounted as Kubernetes mounts a ConfigMap:
 * {@code routes -> ..data/routes}, {@code ..data -> ..<version>/}. It holds {@link #BASE}, the routes
 * of {@link FrontDoorCT}; {@link RoutesCT} changes it in each of the ways a user does, and puts
 * {@link #BASE} back. Its path has no space: a managed server's JVM arguments are split on them.
 */
final class SuiteRoutes {
    private static final int PORT = Backends.PORT;
    /** FrontDoorCT's routes, RelayStressCT's, GrpcCT's and GrpcFaultsCT's. */
    static final String BASE = String.join("\n",
            "# label   target                     options",
            "guarded   http://alpha:" + PORT + "      allowedClients=198.51.100.0/24",
            "upload    http://alpha:" + PORT + "      maxBodySize=1KB",
            "sticky    http://replicas:" + PORT + "   sticky=cookie",
            "cutoff    http://cut:" + PORT + "        maxBodySize=1KB",
            "stress    http://alpha:" + PORT + "      responseTimeout=30s",
            "grpcsilent h2c://grpcsilent:" + PORT + " responseTimeout=30s",
            // a server in a JVM of its own, started for the test: its first answer may take over 1 s
            "grpcdying h2c://grpcdying:" + PORT + " responseTimeout=10s",
            "grpcmany  h2c://grpcsvc:" + PORT + "     connectTimeout=30s responseTimeout=5s",
            "");
    private static final AtomicInteger VERSIONS = new AtomicInteger();
    private static Path mount;

    private SuiteRoutes() {
    }

    /** The path hostproxy is given: a link, unless {@link #renameOver} put a plain file there. */
    static synchronized String path() {
        if (mount == null) {
            try {
                mount = Files.createTempDirectory("hostproxy-ct-routes");
                mount.toFile().deleteOnExit();
                Files.createSymbolicLink(mount.resolve("..data"), version(BASE).getFileName());
                deleteOnExit(mount.resolve("..data"));
                Files.createSymbolicLink(mount.resolve("routes"), Path.of("..data", "routes"));
                deleteOnExit(mount.resolve("routes"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return mount.resolve("routes").toString();
    }

    /** A Kubernetes ConfigMap update: a new version's folder, then {@code ..data} swapped to it in one rename. */
    static synchronized void swapLink(String routes) throws IOException {
        Path tmp = Files.createSymbolicLink(mount.resolve("..data_tmp"), version(routes).getFileName());
        Files.move(tmp, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** An editor writing in place: the file truncated, then written (through the links). */
    static synchronized void writeInPlace(String routes) throws IOException {
        Files.writeString(Path.of(path()), routes);
    }

    /** {@code mv routes.new routes}: a finished file renamed over the path (which is a plain file from then on). */
    static synchronized void renameOver(String routes) throws IOException {
        Path next = Files.writeString(mount.resolve("routes.new"), routes);
        Files.move(next, Path.of(path()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        deleteOnExit(Path.of(path()));
    }

    /** {@link #BASE} back, in its first layout (the path a link again), in one rename. */
    static synchronized void restore() throws IOException {
        swapLink(BASE);
        Path link = Files.createSymbolicLink(mount.resolve("routes.link"), Path.of("..data", "routes"));
        Files.move(link, Path.of(path()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path version(String routes) throws IOException {
        Path dir = Files.createDirectory(mount.resolve("..version_" + VERSIONS.incrementAndGet()));
        dir.toFile().deleteOnExit();
        Files.writeString(dir.resolve("routes"), routes);
        deleteOnExit(dir.resolve("routes"));
        return dir;
    }

    /** Deleted in the reverse order of registration: files and links before their folder. */
    private static void deleteOnExit(Path p) {
        new File(p.toString()).deleteOnExit();
    }
}
