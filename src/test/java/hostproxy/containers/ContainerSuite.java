package hostproxy.containers;

import hostproxy.it.support.Backends;
import hostproxy.it.support.FreePorts;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.TestDns;
import hostproxy.it.support.grpc.InteropServer;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * What every container of the cross-container suite shares: which container runs (the Arquillian
 * qualifier chosen with {@code -Darquillian.launch}), the deployment (the packaged WAR itself, as
 * {@code ROOT.war}), and the settings it gets.
 */
public final class ContainerSuite {
    private ContainerSuite() {
    }

    /**
     * The DNS server every deployment of this test JVM asks, so that no lookup (of an unknown name,
     * say) ever leaves the machine; names of the tests' hosts file resolve through that file first.
     */
    public static final TestDns DNS = startDns();

    private static TestDns startDns() {
        try {
            return TestDns.start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The admin port of every deployment of this test JVM (one at a time), chosen when the suite starts. */
    public static final int ADMIN_PORT = FreePorts.freeOn("127.0.0.1");

    /** The containers of the matrix, by their qualifier in {@code arquillian.xml}. */
    public enum Container {
        TOMCAT10, TOMCAT11, JETTY12, WILDFLY;

        public boolean isTomcat() {
            return this == TOMCAT10 || this == TOMCAT11;
        }
    }

    public static Container container() {
        String launch = System.getProperty("arquillian.launch");
        if (launch == null) {
            throw new IllegalStateException("no container chosen: run with -Darquillian.launch=<qualifier>");
        }
        return Container.valueOf(launch.toUpperCase(Locale.ROOT));
    }

    /** Where {@link ContainerTuning} leaves the container's HTTP port, chosen when the suite starts. */
    static final String PORT_PROPERTY = "it.http.port";

    /** One request to the application's admin port (status page, health, metrics). */
    public static RawResponse admin(String target) throws IOException {
        return RawClient.exchange(ADMIN_PORT, "GET " + target + " HTTP/1.1\nHost: admin\nConnection: close");
    }

    /**
     * A grpc-java channel (h2c by prior knowledge) to the container, whose calls carry the authority
     * {@code <label>.proxy.test}: the proxy routes them to that label's backend.
     */
    public static ManagedChannel grpcChannel(String label) {
        return Grpc.newChannelBuilderForAddress("127.0.0.1", port(), InsecureChannelCredentials.create())
                .overrideAuthority(label + ".proxy.test:" + port())
                .maxInboundMessageSize(InteropServer.MAX_MESSAGE).build();
    }

    /** The container's HTTP port, on 127.0.0.1. */
    public static int port() {
        return Integer.getInteger(PORT_PROPERTY);
    }

    /**
     * The settings of every deployment of the suite, by setting name. They reach the application as
     * JVM system properties {@code hostproxy.<name>}: set in the test JVM for embedded containers,
     * appended to the server's JVM arguments for a managed one (see {@link ContainerTuning}).
     * Values must not contain spaces (a managed server's JVM arguments are split on whitespace).
     */
    public static Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("backendPort", Integer.toString(Backends.PORT));
        s.put("allowedBackends", "alpha,beta,gamma,nosuch*,refused,blackhole,echo," + RoutingCT.V6_ONLY);
        // The backends are on 127.0.0.x, which the default refuses; ::1 stays refused (RoutingCT), except by a route
        s.put("backendNetworks", "127.0.0.0/8");
        s.put("routes", "www=http://beta:" + Backends.PORT + "/base/,byaddress=http://127.0.0.13:" + Backends.PORT
                + ",byv6=http://[::1]:" + Backends.PORT + ",tlsecho=https://echo:" + Backends.PORT
                + ",h2app=h2c://h2app:" + Backends.PORT + ",grpcsvc=h2c://grpcsvc:" + Backends.PORT);
        s.put("connectTimeout", "500ms");
        s.put("responseTimeout", "1s");
        s.put("clientIdleTimeout", "2s");
        s.put("maxConnectionsPerBackend", "10");
        s.put("maxConnections", "20");
        s.put("dnsServers", DNS.server());
        // front door (FrontDoorCT): 127.0.0.2 plays a load balancer; per-route options from a routes file,
        // which RoutesCT changes while the proxy runs
        s.put("trustedProxies", FrontDoorCT.BALANCER);
        s.put("stickySecret", FrontDoorCT.SECRET);
        s.put("routesFile", SuiteRoutes.path());
        s.put("routesFileCheck", RoutesCT.CHECK);
        s.put("adminAddress", "127.0.0.1");
        s.put("adminPort", Integer.toString(ADMIN_PORT));
        return s;
    }

    /** The packaged WAR, exactly as the package phase built it, deployed as the ROOT application. */
    public static WebArchive rootWar() {
        String path = System.getProperty("it.hostproxy.war");
        File war = path == null ? null : new File(path);
        if (war == null || !war.isFile()) {
            throw new IllegalStateException("the packaged WAR is missing (" + path + "): run ./mvnw verify");
        }
        return ShrinkWrap.create(ZipImporter.class, "ROOT.war").importFrom(war).as(WebArchive.class);
    }
}
