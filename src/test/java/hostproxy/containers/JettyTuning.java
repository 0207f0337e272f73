package hostproxy.containers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.xml.XmlConfiguration;
import org.jboss.arquillian.container.jetty.embedded_12_ee10.WebAppContextProcessor;
import org.jboss.shrinkwrap.api.Archive;

/**
 * Gives the embedded Jetty what {@code conf/jetty/} gives a real one: the context file
 * {@code ROOT.xml} applied to the deployed WAR, and the connector's URI compliance from
 * {@code start.d/hostproxy.ini}. Loaded only where the Jetty adapter is on the classpath.
 */
public final class JettyTuning implements WebAppContextProcessor {
    private static final Logger LOG = Logger.getLogger(JettyTuning.class.getName());
    static final Path CONF = Path.of(System.getProperty("basedir", "."), "conf", "jetty");

    @Override
    public void process(WebAppContext context, Archive<?> archive) {
        String war = context.getWar();
        try {
            XmlConfiguration xml = new XmlConfiguration(ResourceFactory.root().newResource(CONF.resolve("ROOT.xml")));
            xml.configure(context);
        } catch (Exception e) {
            throw new IllegalStateException("conf/jetty/ROOT.xml cannot be applied", e);
        }
        context.setWar(war); // the adapter's copy of the archive, not $JETTY_BASE/webapps/hostproxy.war
        LOG.info("applied conf/jetty/ROOT.xml: contextPath=" + context.getContextPath()
                + ", decodeAmbiguousURIs=" + context.getServletHandler().isDecodeAmbiguousURIs());
    }

    /**
     * Applies {@code jetty.httpConfig.uriCompliance} of {@code start.d/hostproxy.ini} to every
     * connector, and adds HTTP/2 over cleartext (h2c) as Jetty's {@code http2c} module does.
     */
    static void tuneServer(Object server) throws Exception {
        for (Connector connector : ((Server) server).getConnectors()) {
            HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
            connector.stop(); // connection factories are added to a stopped connector; the port is kept
            ((AbstractConnector) connector).addConnectionFactory(
                    new HTTP2CServerConnectionFactory(http.getHttpConfiguration()));
            connector.start();
        }
        String compliance = null;
        for (String line : Files.readAllLines(CONF.resolve("start.d/hostproxy.ini"))) {
            if (line.startsWith("jetty.httpConfig.uriCompliance=")) {
                compliance = line.substring(line.indexOf('=') + 1).trim();
            }
        }
        if (compliance == null) {
            return;
        }
        for (Connector connector : ((Server) server).getConnectors()) {
            HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
            http.getHttpConfiguration().setUriCompliance(UriCompliance.from(compliance));
        }
        LOG.info("applied conf/jetty/start.d/hostproxy.ini: uriCompliance=" + compliance);
    }

    /** Stops and removes every web application context still in the server after an undeploy. */
    static void removeContexts(Object server) throws Exception {
        for (ContextHandlerCollection contexts : ((Server) server).getDescendants(ContextHandlerCollection.class)) {
            for (Handler h : contexts.getHandlers()) {
                if (h instanceof ContextHandler context) {
                    LOG.info("removing context left after undeploy: " + context.getContextPath()
                            + " (" + (context.isRunning() ? "running" : "stopped") + ")");
                    context.stop();
                    contexts.removeHandler(context);
                }
            }
        }
    }
}
