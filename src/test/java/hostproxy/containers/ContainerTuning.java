package hostproxy.containers;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.logging.Logger;
import org.jboss.arquillian.config.descriptor.api.ContainerDef;
import org.jboss.arquillian.container.spi.Container;
import org.jboss.arquillian.container.spi.ContainerRegistry;
import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.container.spi.event.container.AfterStart;
import org.jboss.arquillian.container.spi.event.container.BeforeSetup;
import org.jboss.arquillian.core.api.Instance;
import org.jboss.arquillian.core.api.annotation.Inject;
import org.jboss.arquillian.core.api.annotation.Observes;
import org.jboss.arquillian.core.spi.LoadableExtension;

/**
 * An Arquillian extension that gives each container of the suite what a real installation of
 * hostproxy would give it: the suite's settings, the test's name resolution, and the container
 * settings a proxy needs (the same advice as {@code conf/}).
 */
public final class ContainerTuning implements LoadableExtension {
    private static final Logger LOG = Logger.getLogger(ContainerTuning.class.getName());

    @Override
    public void register(ExtensionBuilder builder) {
        builder.observer(Observer.class);
    }

    public static final class Observer {
        @Inject
        private Instance<ContainerRegistry> registry;

        /** Settings as system properties; a managed server gets them (and the hosts file) as JVM arguments. */
        public void settings(@Observes BeforeSetup event) {
            Map<String, String> settings = ContainerSuite.settings();
            StringBuilder jvmArgs = new StringBuilder();
            for (Map.Entry<String, String> s : settings.entrySet()) {
                System.setProperty("hostproxy." + s.getKey(), s.getValue());
                jvmArgs.append(" -Dhostproxy.").append(s.getKey()).append('=').append(s.getValue());
            }
            String hosts = System.getProperty("jdk.net.hosts.file");
            if (hosts != null) {
                jvmArgs.append(" -Djdk.net.hosts.file=").append(hosts);
            }
            for (Container c : registry.get().getContainers()) {
                ContainerDef def = c.getContainerConfiguration();
                String current = def.getContainerProperties().get("javaVmArguments");
                if (current != null) {
                    def.overrideProperty("javaVmArguments", current.trim() + jvmArgs);
                }
            }
        }

        /**
         * Container settings an embedded container's adapter offers no property for; each mirrors a
         * line of {@code conf/}.
         */
        public void tune(@Observes AfterStart event) throws Exception {
            DeployableContainer<?> container = event.getDeployableContainer();
            String type = container.getClass().getName();
            if (type.endsWith("Tomcat10EmbeddedContainer")) {
                // conf/tomcat/server.xml: <Connector encodedSolidusHandling="passthrough">
                Object tomcat = field(container, "tomcat");
                Object connector = tomcat.getClass().getMethod("getConnector").invoke(tomcat);
                connector.getClass().getMethod("setEncodedSolidusHandling", String.class)
                        .invoke(connector, "passthrough");
                LOG.info("Tomcat connector: encodedSolidusHandling=passthrough");
            }
        }
    }

    static Object field(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name + " in " + target.getClass());
    }
}
