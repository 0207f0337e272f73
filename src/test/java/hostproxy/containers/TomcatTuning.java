package hostproxy.containers;

import java.util.logging.Logger;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;

/** What {@code conf/tomcat/server.xml} gives a real Tomcat, applied to the embedded one of the suite. */
final class TomcatTuning {
    private static final Logger LOG = Logger.getLogger(TomcatTuning.class.getName());

    private TomcatTuning() {
    }

    /**
     * The adapter binds its connector on every interface and offers no address property: replace it
     * with one on the same port bound to 127.0.0.1 only, and with
     * {@code encodedSolidusHandling="passthrough"} as conf/tomcat/server.xml sets it, and HTTP/2
     * over cleartext (h2c, by upgrade or prior knowledge) as a connector with {@code Http2Protocol} has,
     * tuned as there for gRPC.
     */
    static void loopbackConnector(Object embedded) throws LifecycleException {
        Tomcat tomcat = (Tomcat) embedded;
        Service service = tomcat.getService();
        Connector adapters = tomcat.getConnector();
        int port = adapters.getPort();
        service.removeConnector(adapters);
        adapters.destroy(); // releases the port
        Connector connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        connector.setEncodedSolidusHandling("passthrough");
        connector.setProperty("allowedTrailerHeaders", "x-checksum,x-private,connection"); // Http2BackendCT
        Http2Protocol http2 = new Http2Protocol();
        http2.setMaxConcurrentStreams(1000); // as conf/tomcat/server.xml (why: there)
        http2.setOverheadDataThreshold(0); // as conf/tomcat/server.xml: gRPC's small messages are no attack
        http2.setOverheadWindowUpdateThreshold(0);
        connector.addUpgradeProtocol(http2);
        service.addConnector(connector);
        tomcat.setConnector(connector);
        LOG.info(() -> "Tomcat connector: 127.0.0.1:" + port + ", encodedSolidusHandling=passthrough, h2c (tuned for gRPC)");
    }
}
