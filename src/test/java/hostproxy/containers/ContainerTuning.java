package hostproxy.containers;

import hostproxy.it.support.FreePorts;
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

        /**
         * Free loopback ports chosen now (so that nothing depends on a fixed port being free), and
         * the settings as system properties; a managed server gets both (and the hosts file) as JVM
         * arguments.
         */
        public void settings(@Observes BeforeSetup event) {
            int http = FreePorts.freeOn("127.0.0.1");
            System.setProperty(ContainerSuite.PORT_PROPERTY, Integer.toString(http));
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
            for (Container<?> c : registry.get().getContainers()) {
                ContainerDef def = c.getContainerConfiguration();
                String current = def.getContainerProperties().get("javaVmArguments");
                if (def.getContainerProperties().containsKey("base")) { // Jetty from its distribution
                    def.overrideProperty("httpPort", Integer.toString(http));
                    def.overrideProperty("javaVmArguments", current.trim() + jvmArgs);
                } else if (current != null) { // a managed WildFly: its ports are JVM arguments
                    int management = FreePorts.freeOn("127.0.0.1");
                    def.overrideProperty("managementPort", Integer.toString(management));
                    def.overrideProperty("javaVmArguments", current.trim() + jvmArgs
                            + " -Djboss.http.port=" + http + " -Djboss.https.port=" + FreePorts.freeOn("127.0.0.1")
                            + " -Djboss.management.http.port=" + management
                            + " -Djboss.management.https.port=" + FreePorts.freeOn("127.0.0.1"));
                } else {
                    def.overrideProperty("bindHttpPort", Integer.toString(http));
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
                TomcatTuning.loopbackConnector(field(container, "tomcat"));
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
