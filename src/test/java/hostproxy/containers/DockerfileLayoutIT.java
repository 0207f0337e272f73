package hostproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.containers.dist.BuildContext;
import hostproxy.containers.dist.Dockerfile;
import hostproxy.containers.dist.Trees;
import hostproxy.it.support.Backends;
import hostproxy.it.support.FreePorts;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
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
 * Both Docker recipes, checked without Docker (no engine runs where this suite runs; see
 * docs/testing.md, "Docker and Windows"):
 * <ul>
 *   <li>each Dockerfile's {@code FROM} lines name exactly the images they must (the official
 *       {@code tomcat} image has no Windows variants: Eclipse Temurin's there);</li>
 *   <li>the build stage's command, run on the build context a fresh clone gives (less
 *       {@code .dockerignore}), makes the WAR; the Windows stage runs the same Maven arguments
 *       through {@code mvnw.cmd};</li>
 *   <li>the Windows image and the service script install the Tomcat version the pom pins, by a
 *       SHA-512 that is the one of the Windows zip Maven resolves, and every path they name is in
 *       that zip's layout;</li>
 *   <li>the Linux image, laid out from a Tomcat 11 distribution exactly as its runtime stage
 *       builds it (its COPY lines under the image's {@code /usr/local/tomcat}, the WAR its build
 *       stage made, its ENV lines as the process environment), is started with
 *       {@code bin/catalina.sh run}, the image's command, and answers as a proxy. The test
 *       environment adds what {@code docker run -e} would.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerfileLayoutIT {
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Path LINUX = ROOT.resolve("conf/docker/Dockerfile");
    private static final Path WINDOWS = ROOT.resolve("conf/docker/Dockerfile.windows");
    private static final Path SERVICE_SCRIPT = ROOT.resolve("conf/windows/install-service.ps1");
    /** CATALINA_HOME in the official image, and in the Windows image. */
    private static final String IMAGE_HOME = "/usr/local/tomcat";
    private static final String WINDOWS_HOME = "C:/tomcat";
    /** The build stage's Maven arguments, the same on both systems. */
    private static final String MAVEN_ARGS = "-B -q package -Dmaven.test.skip=true";

    private Backends backends;
    private Process tomcat;
    private int port;
    private final int adminPort = FreePorts.freeOn("127.0.0.1");
    private Dockerfile linux;
    private Dockerfile windows;
    private Path builtWar;
    private Path log;

    @BeforeAll
    void start() throws Exception {
        linux = Dockerfile.read(LINUX);
        windows = Dockerfile.read(WINDOWS);
        Assumptions.assumeFalse(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows"),
                "catalina.sh and the build stage's ./mvnw: the Linux recipe is laid out on a Unix-like system only");
        builtWar = buildStage();

        // The image: a Tomcat distribution at /usr/local/tomcat with an empty webapps/ (the official
        // image keeps the samples in webapps.dist/).
        Path dist = unpackedTomcat();
        Path home = ROOT.resolve("target/docker-layout" + IMAGE_HOME);
        Trees.delete(home.getParent().getParent().getParent());
        Trees.copy(dist, home);
        Files.move(home.resolve("webapps"), home.resolve("webapps.dist"));
        Files.createDirectories(home.resolve("webapps"));

        Dockerfile.Stage runtime = linux.runtime();
        String buildDir = linux.stage("build").workdir() + "/";
        for (Dockerfile.Copy copy : runtime.copies()) {
            Path source;
            if (copy.fromStage() == null) {
                source = ROOT.resolve(copy.source());
            } else {
                assertEquals("build", copy.fromStage());
                assertTrue(copy.source().startsWith(buildDir), "copied from the build stage's WORKDIR: " + copy.source());
                source = builtWar.getParent().getParent().resolve(copy.source().substring(buildDir.length()));
            }
            assertTrue(copy.destination().startsWith(IMAGE_HOME + "/"), "COPY outside the Tomcat home: " + copy.destination());
            Path target = home.resolve(copy.destination().substring(IMAGE_HOME.length() + 1));
            assertTrue(Files.isRegularFile(source), "COPY source missing: " + source);
            assertTrue(Files.isDirectory(target.getParent()), "COPY into a folder the image has: " + copy.destination());
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
        env.putAll(runtime.env());                                 // the Dockerfile's ENV lines
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

    /**
     * Runs the Linux build stage's RUN line (its cache mount aside) on the build context a fresh
     * clone gives, as {@code docker build} would, and returns the WAR it made.
     */
    private Path buildStage() throws Exception {
        Dockerfile.Stage build = linux.stage("build");
        assertEquals(List.of(new Dockerfile.Copy(null, ".", ".")), build.copies(), "the build stage takes the whole context");
        List<Dockerfile.Instruction> runs = build.all("RUN");
        assertEquals(1, runs.size(), "one RUN in the build stage");
        String command = runs.get(0).arguments().replaceFirst("^--mount=\\S+\\s+", "");
        assertEquals("./mvnw " + MAVEN_ARGS, command);

        Path context = BuildContext.copy(ROOT, ROOT.resolve("target/docker-context"));
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).directory(context.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("MAVEN_OPTS");
        Path out = ROOT.resolve("target/docker-context-build.log");
        Process maven = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(maven.waitFor(10, TimeUnit.MINUTES), "the build stage finishes within 10 minutes");
        assertEquals(0, maven.exitValue(), "the build stage's command fails on a fresh clone's context:\n" + Files.readString(out));
        Path war = context.resolve("target/hostproxy.war");
        assertTrue(Files.isRegularFile(war), "the build stage makes target/hostproxy.war");
        return war;
    }

    @Test
    void theImagesAreTheOnesThatExist() {
        List<String> linuxImages = linux.stages().stream().map(s -> linux.image(s, Map.of())).toList();
        assertEquals(List.of("eclipse-temurin:21-jdk", "tomcat:11-jre21-temurin"), linuxImages,
                "a JDK to build, the official tomcat 11 image on a JRE 21 to run");
        assertEquals("build", linux.stages().get(0).name());

        // The official tomcat image has no Windows tags; Eclipse Temurin's images have, for both LTSC releases.
        assertEquals(Map.of("WINDOWS_VERSION", "ltsc2022"), windows.globalArgs());
        assertEquals("build", windows.stages().get(0).name());
        for (String version : List.of("ltsc2022", "ltsc2025")) {
            List<String> images = windows.stages().stream().map(s -> windows.image(s, Map.of("WINDOWS_VERSION", version))).toList();
            assertEquals(List.of("eclipse-temurin:21-jdk-windowsservercore-" + version,
                    "eclipse-temurin:21-jre-windowsservercore-" + version), images);
        }
    }

    /** mvnw.cmd is in the context, and runs the very Maven arguments the Linux stage ran above. */
    @Test
    void theWindowsBuildStageRunsTheSameBuild() throws Exception {
        Dockerfile.Stage build = windows.stage("build");
        assertEquals(List.of(new Dockerfile.Copy(null, ".", ".")), build.copies());
        String maven = run(windows, "mvnw.cmd");
        assertTrue(maven.startsWith(".\\mvnw.cmd " + MAVEN_ARGS.replace("-Dmaven.test.skip=true", "'-Dmaven.test.skip=true'")),
                "the same Maven arguments (quoted for PowerShell): " + maven);
        assertTrue(maven.contains("if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }"), "a failed build fails the image: " + maven);
        assertTrue(BuildContext.files(ROOT).containsAll(List.of("mvnw", "mvnw.cmd", ".mvn/wrapper/maven-wrapper.properties",
                "pom.xml", "conf/tomcat/server.xml", "conf/docker/setenv.bat", "conf/docker/setenv.sh")));
        assertTrue(BuildContext.files(ROOT).stream().noneMatch(f -> f.startsWith("target/") || f.startsWith(".git/")),
                "the context carries nothing built");
    }

    /** The Windows image and the service script install the pinned Tomcat by the checksum of the zip Maven resolves. */
    @Test
    void theWindowsTomcatIsThePinnedZipCheckedByItsSha512() throws Exception {
        String pinned = pomProperty("tomcat-dist.version");
        String sha512 = sha512(windowsZip());
        Map<String, String> args = windows.stage("build").args();
        assertEquals(pinned, args.get("TOMCAT_VERSION"), "Dockerfile.windows' TOMCAT_VERSION is the pom's");
        assertEquals(sha512, args.get("TOMCAT_SHA512"), "Dockerfile.windows' TOMCAT_SHA512 is the zip's");
        String script = Files.readString(SERVICE_SCRIPT);
        assertEquals(pinned, psVariable(script, "TomcatVersion"), "install-service.ps1's $TomcatVersion");
        assertEquals(sha512, psVariable(script, "TomcatSha512"), "install-service.ps1's $TomcatSha512");
        String url = "https://repo.maven.apache.org/maven2/org/apache/tomcat/tomcat/{0}/tomcat-{0}-windows-x64.zip";
        assertTrue(run(windows, "Invoke-WebRequest").contains(url), "the image downloads Maven Central's zip");
        assertTrue(script.contains(url.replace("{0}", "$TomcatVersion")), "the script downloads Maven Central's zip");
    }

    /**
     * The paths the Windows image and the service script name, in the layout the zip gives: unpacked
     * to its one top folder, webapps emptied, the proxy's files copied in.
     */
    @Test
    void everyPathTheWindowsRecipesNameIsInTheZipsLayout() throws Exception {
        Set<String> zip = zipEntries(windowsZip());
        String top = "apache-tomcat-" + pomProperty("tomcat-dist.version") + "/";
        assertTrue(zip.stream().allMatch(e -> e.startsWith(top)), "one top folder, " + top);
        Function<String, Boolean> inLayout = path -> {
            String p = path.replace('\\', '/').replaceAll("/\\*$", "");
            return zip.contains(top + p) || zip.contains(top + p + "/");
        };

        // The image: the build stage moves that folder to C:/tomcat and empties webapps/.
        String unpack = run(windows, "Expand-Archive");
        assertTrue(unpack.contains("Move-Item ('C:/apache-tomcat-{0}' -f $env:TOMCAT_VERSION) " + WINDOWS_HOME), unpack);
        assertTrue(unpack.contains("Remove-Item " + WINDOWS_HOME + "/webapps/*"), unpack);
        Dockerfile.Stage runtime = windows.runtime();
        assertEquals("C:\\tomcat", runtime.env().get("CATALINA_HOME"));
        String buildDir = windows.stage("build").workdir() + "/";
        for (Dockerfile.Copy copy : runtime.copies()) {
            if (copy.source().equals(WINDOWS_HOME)) {
                assertEquals(new Dockerfile.Copy("build", WINDOWS_HOME, WINDOWS_HOME), copy);
                continue;
            }
            assertTrue(copy.destination().startsWith(WINDOWS_HOME + "/"), copy.destination());
            String inHome = copy.destination().substring(WINDOWS_HOME.length() + 1);
            assertTrue(inLayout.apply(inHome.substring(0, inHome.lastIndexOf('/'))), "COPY into a folder the zip has: " + copy);
            if (copy.fromStage() == null) {
                assertTrue(Files.isRegularFile(ROOT.resolve(copy.source())), "COPY source missing: " + copy);
            } else {
                assertEquals(buildDir + "target/hostproxy.war", copy.source(), "the WAR the build stage made");
            }
        }
        String cmd = runtime.all("CMD").get(0).arguments();
        assertTrue(cmd.contains("C:\\\\tomcat\\\\bin\\\\catalina.bat run"), cmd);
        assertTrue(inLayout.apply("bin/catalina.bat"));

        // The service script: every Join-Path $InstallDir '...' it names.
        Matcher m = Pattern.compile("Join-Path \\$InstallDir '([^']+)'").matcher(Files.readString(SERVICE_SCRIPT));
        List<String> named = new ArrayList<>();
        while (m.find()) {
            named.add(m.group(1));
        }
        assertTrue(named.containsAll(List.of("bin\\service.bat", "bin\\tomcat11.exe", "conf\\server.xml", "webapps\\ROOT.war")), named.toString());
        for (String path : named) {
            boolean copiedIn = path.endsWith("ROOT.war");
            assertTrue(inLayout.apply(copiedIn ? "webapps" : path), "install-service.ps1 names " + path + ", which the zip lacks");
        }
        assertTrue(Files.readString(ROOT.resolve("conf/windows/uninstall-service.ps1")).contains("Join-Path $InstallDir 'bin\\tomcat11.exe'"));
    }

    /** Same settings, admin port, health check and port on Windows as on Linux; setenv.bat as setenv.sh. */
    @Test
    void theWindowsImageIsTheLinuxImagesTwin() throws Exception {
        Map<String, String> linuxEnv = linux.runtime().env();
        Map<String, String> windowsEnv = new java.util.LinkedHashMap<>(windows.runtime().env());
        windowsEnv.remove("CATALINA_HOME"); // the official image sets its own
        assertEquals(linuxEnv, windowsEnv);
        assertEquals(linux.runtime().all("EXPOSE"), windows.runtime().all("EXPOSE"));
        assertEquals(healthCheckTiming(linux), healthCheckTiming(windows));
        String command = windows.runtime().healthCheck()[1];
        assertTrue(command.contains("/healthz"), command);
        // exec form, each argument free of double quotes: Docker's shell form on Windows (cmd /S /C
        // "...") would turn inner quotes into \", and PowerShell would print the script, exit 0
        assertTrue(command.startsWith("[\"powershell\", \"-NoProfile\", \"-Command\", \""), command);
        String script = command.substring(command.indexOf("\"-Command\", \"") + 14, command.length() - 2);
        assertTrue(script.indexOf('"') < 0 && script.contains("exit 1"), "no double quote inside: " + script);

        assertEquals(javaOptions(Files.readString(ROOT.resolve("conf/docker/setenv.sh"))),
                javaOptions(Files.readString(ROOT.resolve("conf/docker/setenv.bat"))), "setenv.sh and setenv.bat set the same");
    }

    /** The one RUN line of the build stage that holds {@code word}. */
    private static String run(Dockerfile d, String word) {
        List<String> runs = d.stage("build").all("RUN").stream().map(Dockerfile.Instruction::arguments)
                .filter(a -> a.contains(word)).toList();
        assertEquals(1, runs.size(), "one RUN with " + word + ": " + runs);
        return runs.get(0);
    }

    private static String healthCheckTiming(Dockerfile d) {
        return d.runtime().healthCheck()[0].replaceAll("--timeout=\\S+ ?", "");
    }

    private static Set<String> javaOptions(String setenv) {
        Set<String> options = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("-D[\\w.]+=[\\w.-]+").matcher(setenv.lines()
                .filter(l -> !l.startsWith("#") && !l.startsWith("rem ")).collect(java.util.stream.Collectors.joining("\n")));
        while (m.find()) {
            options.add(m.group());
        }
        return options;
    }

    private static Path windowsZip() {
        Path zip = ROOT.resolve("target/tomcat-windows-x64.zip");
        assertTrue(Files.isRegularFile(zip), "no Tomcat Windows zip in target/: run ./mvnw verify");
        return zip;
    }

    private static Set<String> zipEntries(Path zip) throws IOException {
        Set<String> entries = new java.util.HashSet<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            z.stream().forEach(e -> entries.add(e.getName()));
        }
        return entries;
    }

    private static String sha512(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-512");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String pomProperty(String name) throws IOException {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml has " + name);
        return m.group(1);
    }

    private static String psVariable(String script, String name) {
        Matcher m = Pattern.compile("(?m)^\\$" + name + " = '([^']*)'").matcher(script);
        assertTrue(m.find(), "$" + name + " = '...' in the script");
        return m.group(1);
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
        assertEquals(1, linux.runtime().all("HEALTHCHECK").size(), "the Dockerfile has a HEALTHCHECK");
        assertEquals(0, runHealthCheck(adminPort), "HEALTHCHECK against /healthz on the admin port");
        assertNotEquals(0, runHealthCheck(FreePorts.freeOn("127.0.0.1")), "HEALTHCHECK with nothing listening");
    }

    private int runHealthCheck(int port) throws Exception {
        ProcessBuilder check = new ProcessBuilder("/bin/sh", "-c", linux.runtime().healthCheck()[1])
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
