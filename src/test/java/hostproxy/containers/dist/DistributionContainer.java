package hostproxy.containers.dist;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.container.spi.client.container.DeploymentException;
import org.jboss.arquillian.container.spi.client.container.LifecycleException;
import org.jboss.arquillian.container.spi.client.protocol.ProtocolDescription;
import org.jboss.arquillian.container.spi.client.protocol.metadata.HTTPContext;
import org.jboss.arquillian.container.spi.client.protocol.metadata.ProtocolMetaData;
import org.jboss.shrinkwrap.api.Archive;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;

/**
 * An Arquillian container for Jetty run from its real distribution ({@link JettyDistribution}):
 * {@code start} lays out a fresh {@code $JETTY_BASE} as docs/containers.md says and starts
 * {@code start.jar} on the loopback port of its configuration ({@code httpPort}, chosen free at
 * run time; published as the system property {@code it.http.port}); {@code deploy} puts the archive in as {@code webapps/ROOT.war} beside
 * {@code conf/jetty/ROOT.xml}, and {@code undeploy} takes both away again.
 */
public final class DistributionContainer implements DeployableContainer<DistributionConfiguration> {
    private DistributionConfiguration config;
    private JettyDistribution jetty;
    private ServerProcess server;

    @Override
    public Class<DistributionConfiguration> getConfigurationClass() {
        return DistributionConfiguration.class;
    }

    @Override
    public void setup(DistributionConfiguration configuration) {
        this.config = configuration;
    }

    @Override
    public void start() throws LifecycleException {
        try {
            jetty = JettyDistribution.newBase(Path.of(config.getBase()));
            int port = config.getHttpPort() > 0 ? config.getHttpPort() : ServerProcess.freeLoopbackPort();
            List<String> jvmArgs = Arrays.stream(config.getJavaVmArguments().trim().split("\\s+"))
                    .filter(a -> !a.isEmpty()).toList();
            server = jetty.start(port, jvmArgs, Map.of(), JettyDistribution.HOT_DEPLOY);
            server.await(r -> r.status() == 404, java.time.Duration.ofSeconds(60), "started");
            System.setProperty("it.http.port", Integer.toString(port));
        } catch (IOException | RuntimeException e) {
            throw new LifecycleException("Jetty distribution did not start", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifecycleException("interrupted", e);
        }
    }

    @Override
    public void stop() throws LifecycleException {
        if (server != null) {
            server.close();
        }
    }

    @Override
    public ProtocolDescription getDefaultProtocol() {
        return new ProtocolDescription("Local");
    }

    @Override
    public ProtocolMetaData deploy(Archive<?> archive) throws DeploymentException {
        try {
            Path war = jetty.base().resolve("staging-" + archive.getName());
            archive.as(ZipExporter.class).exportTo(war.toFile(), true);
            jetty.deploy(war, server);
            return new ProtocolMetaData().addContext(new HTTPContext("127.0.0.1", server.port()));
        } catch (IOException | AssertionError e) {
            throw new DeploymentException("deploying " + archive.getName() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeploymentException("interrupted", e);
        }
    }

    @Override
    public void undeploy(Archive<?> archive) throws DeploymentException {
        try {
            jetty.undeploy(server);
        } catch (IOException | AssertionError e) {
            throw new DeploymentException("undeploying " + archive.getName() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeploymentException("interrupted", e);
        }
    }
}
