package hostproxy.containers.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Jetty from its real distribution ({@code jetty-home}, unpacked into {@code target/} by the
 * pre-integration-test phase), set up exactly as the steps of docs/containers.md, "Jetty 12.1" say:
 * <pre>
 * cd $JETTY_BASE
 * java -jar $JETTY_HOME/start.jar --add-modules=http,http2c,ee10-deploy
 * cp conf/jetty/start.d/hostproxy.ini $JETTY_BASE/start.d/
 * cp conf/jetty/ROOT.xml $JETTY_BASE/webapps/ROOT.xml
 * cp target/hostproxy.war $JETTY_BASE/webapps/ROOT.war
 * java -jar $JETTY_HOME/start.jar
 * </pre>
 * A test adds only what it needs on the command line: a loopback address and free port, JVM
 * arguments (settings, the tests' hosts file), and, to deploy and undeploy on the running server
 * ({@link #deploy}, {@link #undeploy}), a deployment scan ({@link #HOT_DEPLOY}).
 */
public final class JettyDistribution {
    private static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    public static final Path CONF = PROJECT.resolve("conf/jetty");
    /** The argument that makes Jetty scan {@code webapps/} every second (it scans only at start by default). */
    public static final String HOT_DEPLOY = "jetty.deploy.scanInterval=1";

    private final Path home;
    private final Path base;

    private JettyDistribution(Path home, Path base) {
        this.home = home;
        this.base = base;
    }

    /** {@code $JETTY_HOME}: the unpacked distribution named by {@code -Dit.jetty.home}. */
    public static Path home() {
        String home = System.getProperty("it.jetty.home");
        if (home == null || !Files.isRegularFile(Path.of(home, "start.jar"))) {
            throw new IllegalStateException("no unpacked jetty-home at " + home + ": run ./mvnw verify");
        }
        return Path.of(home);
    }

    /**
     * A fresh {@code $JETTY_BASE} at {@code base} (emptied first), with the modules and
     * {@code start.d/hostproxy.ini} of docs/containers.md, and nothing deployed yet.
     */
    public static JettyDistribution newBase(Path base) throws IOException, InterruptedException {
        Path home = home();
        Files.createDirectories(base);
        Trees.delete(base);
        Files.createDirectories(base);
        ProcessBuilder addModules = new ProcessBuilder(java(), "-jar", home.resolve("start.jar").toString(),
                "--add-modules=http,http2c,ee10-deploy").directory(base.toFile());
        Path log = base.getParent().resolve(base.getFileName() + "-add-modules.log");
        addModules.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = addModules.start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("start.jar --add-modules failed:\n" + Files.readString(log));
        }
        Files.copy(CONF.resolve("start.d/hostproxy.ini"), base.resolve("start.d/hostproxy.ini"),
                StandardCopyOption.REPLACE_EXISTING);
        return new JettyDistribution(home, base);
    }

    public Path base() {
        return base;
    }

    /**
     * {@code java -jar $JETTY_HOME/start.jar} in the base, on 127.0.0.1:{@code port}, with
     * {@code jettyArgs} after it and {@code env} added to an environment without {@code HOSTPROXY_*}.
     */
    public ServerProcess start(int port, List<String> jvmArgs, Map<String, String> env, String... jettyArgs)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", home.resolve("start.jar").toString(),
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + port));
        command.addAll(List.of(jettyArgs));
        ProcessBuilder pb = new ProcessBuilder(command).directory(base.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HOSTPROXY_") || k.startsWith("JETTY_"));
        pb.environment().putAll(env);
        return ServerProcess.start("Jetty " + home.getFileName(), pb, base.resolve("logs/jetty.log"), port);
    }

    /**
     * Deploys {@code war} as docs/containers.md says ({@code webapps/ROOT.war} beside {@code conf/jetty/ROOT.xml})
     * and waits until hostproxy answers ({@code server} null: before the start, nothing to wait for).
     * Each file is moved into place at once, so that a deployment scan never sees half a file.
     */
    public void deploy(Path war, ServerProcess server) throws IOException, InterruptedException {
        Path staging = Files.createDirectories(base.resolve("staging"));
        Files.copy(war, staging.resolve("ROOT.war"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(CONF.resolve("ROOT.xml"), staging.resolve("ROOT.xml"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(staging.resolve("ROOT.war"), base.resolve("webapps/ROOT.war"), StandardCopyOption.ATOMIC_MOVE);
        Files.move(staging.resolve("ROOT.xml"), base.resolve("webapps/ROOT.xml"), StandardCopyOption.ATOMIC_MOVE);
        if (server != null) {
            server.await(ServerProcess::isHostproxy, Duration.ofSeconds(30), "serving hostproxy");
        }
    }

    /** Removes what {@link #deploy} added and waits until the scan has undeployed it. */
    public void undeploy(ServerProcess server) throws IOException, InterruptedException {
        Files.deleteIfExists(base.resolve("webapps/ROOT.xml"));
        Files.deleteIfExists(base.resolve("webapps/ROOT.war"));
        server.await(r -> !ServerProcess.isHostproxy(r), Duration.ofSeconds(30), "undeployed");
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
