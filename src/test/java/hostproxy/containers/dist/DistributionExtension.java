package hostproxy.containers.dist;

import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.core.spi.LoadableExtension;

/**
 * Registers {@link DistributionContainer} for the suite's Jetty execution only
 * ({@code -Darquillian.launch=jetty12}): the other executions keep their own adapter as the one
 * deployable container on the classpath.
 */
public final class DistributionExtension implements LoadableExtension {
    @Override
    public void register(ExtensionBuilder builder) {
        if ("jetty12".equals(System.getProperty("arquillian.launch"))) {
            builder.service(DeployableContainer.class, DistributionContainer.class);
        }
    }
}
