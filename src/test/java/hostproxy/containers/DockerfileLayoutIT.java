package hostproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.containers.dist.Trees;
import hostproxy.it.support.Backends;
import hostproxy.it.support.FreePorts;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Linux Docker recipe, run without Docker: a Tomcat 11 distribution (unpacked into target/ by
 * the pre-integration-test phase) laid out exactly as {@code conf/docker/Dockerfile} builds the
 * image — its COPY lines applied under the image's {@code /usr/local/tomcat}, its ENV lines as the
 * process environment — and started as a real process with {@code bin/catalina.sh run}, the
 * image's command. The test environment adds what {@code docker run -e} would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerfileLayoutIT {
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Path DOCKERFILE = ROOT.resolve("conf/docker/Dockerfile");
    /** CATALINA_HOME in the official image. */
    private static final String IMAGE_HOME = "/usr/local/tomcat";

    private Backends backends;
    private Process tomcat;
    private int port;
    private final int adminPort = FreePorts.freeOn("127.0.0.1");
    private Recipe recipe;
    private Path log;

    /** @param healthCheck the HEALTHCHECK's command (shell form), or {@code null} */
    record Recipe(String from, Map<String, String> env, List<String[]> copies, String healthCheck) {
    }

    /** The FROM, ENV and COPY lines of a Dockerfile (the subset this recipe uses). */
    static Recipe read(Path dockerfile) throws IOException {
        String from = null;
        Map<String, String> env = new LinkedHashMap<>();
        List<String[]> copies = new ArrayList<>();
        String healthCheck = null;
        for (String raw : Files.readAllLines(dockerfile)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            switch (words[0].toUpperCase(Locale.ROOT)) {
                case "FROM" -> from = words[1];
                case "ENV" -> {
                    for (int i = 1; i < words.length; i++) {
                        int eq = words[i].indexOf('=');
                        assertTrue(eq > 0, "ENV lines must be NAME=value: " + line);
                        env.put(words[i].substring(0, eq), words[i].substring(eq + 1));
                    }
                }
                case "COPY" -> {
                    assertEquals(3, words.length, "COPY lines must be 'COPY src dest': " + line);
                    copies.add(new String[] {words[1], words[2]});
                }
                case "HEALTHCHECK" -> {
                    int cmd = line.indexOf(" CMD ");
                    assertTrue(cmd > 0, "HEALTHCHECK lines must be '... CMD command' on one line: " + line);
                    healthCheck = line.substring(cmd + 5);
                }
                case "EXPOSE", "CMD", "ENTRYPOINT", "RUN", "WORKDIR", "ARG", "LABEL" -> {
                    assertFalse(words[0].equalsIgnoreCase("RUN"), "the layout test cannot replay RUN: " + line);
                }
                default -> throw new AssertionError("unexpected Dockerfile instruction: " + line);
            }
        }
        return new Recipe(from, env, copies, healthCheck);
    }

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeFalse(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows"),
                "catalina.sh: the Linux recipe is laid out on a Unix-like system only");
        recipe = read(DOCKERFILE);
        assertTrue(recipe.from().startsWith("tomcat:11"), recipe.from());

        // The image: a Tomcat distribution at /usr/local/tomcat with an empty webapps/ (the official
        // image keeps the samples in webapps.dist/).
        Path dist = unpackedTomcat();
        Path home = ROOT.resolve("target/docker-layout" + IMAGE_HOME);
        Trees.delete(home.getParent().getParent().getParent());
        Trees.copy(dist, home);
        Files.move(home.resolve("webapps"), home.resolve("webapps.dist"));
        Files.createDirectories(home.resolve("webapps"));

        for (String[] copy : recipe.copies()) {
            Path source = ROOT.resolve(copy[0]);
            assertTrue(copy[1].startsWith(IMAGE_HOME + "/"), "COPY outside the Tomcat home: " + copy[1]);
            Path target = home.resolve(copy[1].substring(IMAGE_HOME.length() + 1));
            assertTrue(Files.isRegularFile(source), "COPY source missing (run ./mvnw package): " + source);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
        assertTrue(Files.isRegularFile(home.resolve("webapps/ROOT.war")), "the recipe deploys ROOT.war");
        // Beside it, a second copy of the WAR with an invalid setting, as an operator's typo in a
        // context file: its one line must reach the console (catalina.out), not only Tomcat's own log.
        Files.createDirectories(home.resolve("conf/Catalina/localhost"));
        Files.copy(home.resolve("webapps/ROOT.war"), home.resolve("broken.war"));
        Files.writeString(home.resolve("conf/Catalina/localhost/broken.xml"), "<Context docBase=\""
                + home.resolve("broken.war") + "\"><Parameter name=\"balancer\" value=\"random\"/></Context>\n");

        backends = Backends.start();
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        JavaHome java = javaHome();
        List<String> javaOpts = new ArrayList<>(List.of(
                "-Djdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file"),
                "-Dhttp.port=" + port, "-Dhttp.address=127.0.0.1"));

        ProcessBuilder pb = new ProcessBuilder("sh", home.resolve("bin/catalina.sh").toString(), "run");
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("HOSTPROXY_") || k.startsWith("CATALINA_") || k.equals("JAVA_OPTS"));
        env.putAll(recipe.env());                                  // the Dockerfile's ENV lines
        env.put("HOSTPROXY_BACKEND_PORT", Integer.toString(Backends.PORT)); // docker run -e ...
        env.put("HOSTPROXY_ALLOWED_BACKENDS", "alpha,beta,nosuch*");
        env.put("HOSTPROXY_BACKEND_NETWORKS", "127.0.0.0/8"); // the backends are on loopback
        env.put("HOSTPROXY_DNS_SERVERS", ContainerSuite.DNS.server()); // no lookup leaves the machine
        env.put("HOSTPROXY_ADMIN_ADDRESS", "127.0.0.1");                // tests listen on loopback only
        env.put("HOSTPROXY_ADMIN_PORT", Integer.toString(adminPort));
        env.put("CATALINA_HOME", home.toString());
        env.put("CATALINA_BASE", home.toString());
        env.put("JAVA_HOME", java.path().toString());
        env.put("JAVA_OPTS", String.join(" ", javaOpts));
        if (!java.virtualThreads()) {
            // the image's bin/setenv.sh turns virtual threads on (JDK 21+); a later CATALINA_OPTS wins
            env.put("CATALINA_OPTS", "-Dhttp.virtualThreads=false");
        }
        log = ROOT.resolve("target/docker-layout/catalina.out");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        tomcat = pb.start();
        awaitDeployed();
    }

    @AfterAll
    void stop() throws Exception {
        if (tomcat != null) {
            tomcat.destroy(); // SIGTERM, as docker stop sends
            if (!tomcat.waitFor(30, TimeUnit.SECONDS)) {
                tomcat.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (backends != null) {
            backends.close();
        }
    }

    private RawResponse get(String target, String host) throws IOException {
        return RawClient.exchange(port, "GET " + target + " HTTP/1.1\nHost: " + host + "\nConnection: close");
    }

    @Test
    void theFirstLabelOfTheHostNamesTheBackend() throws Exception {
        assertEquals("alpha", get("/", "alpha.example.com").header("X-Backend"));
        assertEquals("beta", get("/", "beta.example.com").header("X-Backend"));
    }

    /** %2F passes only with the server.xml the Dockerfile copies (encodedSolidusHandling="passthrough"). */
    @Test
    void pathAndQueryArriveByteForByte() throws Exception {
        String target = "/a%2Fb/caf%C3%A9?x=1&x=%2F&q=a+b";
        assertEquals(200, get(target, "alpha").status());
        assertEquals(target, backends.alpha.takeRequest().target());
    }

    @Test
    void anUnknownBackendIsABadGateway() throws Exception {
        RawResponse r = get("/", "nosuchservice.example.com");
        assertEquals(502, r.status());
        assertEquals("no backend named nosuchservice\n", r.text());
    }

    /** The Dockerfile's HEALTHCHECK command, run as Docker would (sh -c), passes against the admin port and fails without it. */
    @Test
    void theHealthCheckOfTheImageAsksTheAdminPort() throws Exception {
        assertTrue(recipe.healthCheck() != null, "the Dockerfile has a HEALTHCHECK");
        assertEquals(0, runHealthCheck(adminPort), "HEALTHCHECK against /healthz on the admin port");
        assertNotEquals(0, runHealthCheck(FreePorts.freeOn("127.0.0.1")), "HEALTHCHECK with nothing listening");
    }

    private int runHealthCheck(int port) throws Exception {
        ProcessBuilder check = new ProcessBuilder("/bin/sh", "-c", recipe.healthCheck())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        check.environment().put("HOSTPROXY_ADMIN_PORT", Integer.toString(port));
        Process p = check.start();
        try {
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the HEALTHCHECK command finishes within 10 s");
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    /** An invalid setting: one line on the console naming the setting, the value and what is allowed. */
    @Test
    void anInvalidSettingIsOneLineOnTheConsole() throws Exception {
        String prefix = "hostproxy: invalid setting balancer='random': expected round-robin or least-requests";
        List<String> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix)).toList();
        assertEquals(List.of(prefix + " (application /broken not started)"), lines);
    }

    /** HOSTPROXY_ALLOWED_BACKENDS, given like docker run -e, reaches the application. */
    @Test
    void settingsComeFromTheEnvironment() throws Exception {
        RawResponse r = get("/", "gamma.example.com");
        assertEquals(404, r.status());
        assertEquals("no service for this host\n", r.text());
    }

    private void awaitDeployed() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!tomcat.isAlive()) {
                throw new AssertionError("Tomcat exited (" + tomcat.exitValue() + "):\n" + Files.readString(log));
            }
            try {
                if (get("/", "alpha").status() == 200) {
                    backends.reset();
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Tomcat did not serve hostproxy within 90 s:\n" + Files.readString(log));
    }

    private static Path unpackedTomcat() throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("target"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("apache-tomcat-11.")
                    && Files.isDirectory(p)).findFirst()
                    .orElseThrow(() -> new AssertionError("no unpacked Tomcat 11 in target/: run ./mvnw verify"));
        }
    }

    record JavaHome(Path path, boolean virtualThreads) {
    }

    /** The image runs JDK 21: use a JDK 21+ when this machine has one, else this JDK without virtual threads. */
    private static JavaHome javaHome() throws IOException {
        Path current = Path.of(System.getProperty("java.home"));
        if (Runtime.version().feature() >= 21) {
            return new JavaHome(current, true);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                for (Path candidate : s.sorted(Comparator.reverseOrder()).toList()) {
                    Path release = candidate.resolve("release");
                    if (Files.isRegularFile(release) && Files.isExecutable(candidate.resolve("bin/java"))
                            && feature(release) >= 21) {
                        return new JavaHome(candidate, true);
                    }
                }
            }
        }
        return new JavaHome(current, false);
    }

    private static int feature(Path release) throws IOException {
        for (String line : Files.readAllLines(release)) {
            if (line.startsWith("JAVA_VERSION=")) {
                String v = line.substring(line.indexOf('"') + 1);
                try {
                    return Integer.parseInt(v.split("[.\"]")[0]);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
