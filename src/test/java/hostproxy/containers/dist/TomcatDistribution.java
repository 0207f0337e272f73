package hostproxy.containers.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A stock Tomcat distribution (the zip from Maven Central, unpacked into {@code target/} by the
 * pre-integration-test phase), set up exactly as the steps of docs/containers.md,
 * "Tomcat 10.1 / 11 (a stock distribution)" say:
 * <pre>
 * chmod +x $CATALINA_HOME/bin/*.sh
 * rm -rf $CATALINA_HOME/webapps/*
 * cp conf/tomcat/server.xml $CATALINA_HOME/conf/server.xml
 * cp target/hostproxy.war $CATALINA_HOME/webapps/ROOT.war
 * $CATALINA_HOME/bin/catalina.sh run
 * </pre>
 */
public final class TomcatDistribution {
    private static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    private final Path home;

    private TomcatDistribution(Path home) {
        this.home = home;
    }

    /** A fresh copy of the unpacked Tomcat 11 zip at {@code home}, as a user has it after unzip. */
    public static TomcatDistribution unzipped(Path home) throws IOException {
        Path dist;
        try (Stream<Path> s = Files.list(PROJECT.resolve("target"))) {
            dist = s.filter(p -> p.getFileName().toString().startsWith("apache-tomcat-11.") && Files.isDirectory(p))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no unpacked Tomcat 11 in target/: run ./mvnw verify"));
        }
        Files.createDirectories(home);
        Trees.delete(home);
        Trees.copy(dist, home);
        return new TomcatDistribution(home);
    }

    public Path home() {
        return home;
    }

    /** The documented steps, one by one. */
    public void setUpAsTheReadmeSays(Path war) throws IOException {
        try (Stream<Path> s = Files.list(home.resolve("bin"))) {            // chmod +x bin/*.sh
            for (Path script : s.filter(p -> p.toString().endsWith(".sh")).toList()) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(script);
                perms.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE));
                Files.setPosixFilePermissions(script, perms);
            }
        }
        Trees.delete(home.resolve("webapps"));                              // rm -rf webapps/*
        Files.copy(PROJECT.resolve("conf/tomcat/server.xml"), home.resolve("conf/server.xml"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(war, home.resolve("webapps/ROOT.war"));
    }

    /** {@code bin/catalina.sh run} with the given Java, environment and {@code CATALINA_OPTS}, on 127.0.0.1:{@code port}. */
    public ServerProcess start(Path javaHome, int port, List<String> catalinaOpts, Map<String, String> env)
            throws IOException {
        List<String> opts = new ArrayList<>(catalinaOpts);
        opts.add("-Dhttp.address=127.0.0.1");
        opts.add("-Dhttp.port=" + port);
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/catalina.sh").toString(), "run");
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("HOSTPROXY_") || k.startsWith("CATALINA_") || k.equals("JAVA_OPTS"));
        e.putAll(env);
        e.put("JAVA_HOME", javaHome.toString());
        e.put("CATALINA_OPTS", String.join(" ", opts));
        return ServerProcess.start("Tomcat " + home.getFileName(), pb, home.resolve("logs/catalina.out"), port);
    }
}
