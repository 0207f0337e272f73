package hostproxy.containers.dist;

import org.jboss.arquillian.container.spi.ConfigurationException;
import org.jboss.arquillian.container.spi.client.container.ContainerConfiguration;

/** {@code arquillian.xml} properties of {@link DistributionContainer}. */
public final class DistributionConfiguration implements ContainerConfiguration {
    /** The {@code $JETTY_BASE} to lay out (emptied first). */
    private String base;
    /** JVM arguments of the server (the suite's settings and hosts file are appended to them). */
    private String javaVmArguments = "";
    /** The port on 127.0.0.1; 0: a free one chosen at start. */
    private int httpPort;

    public int getHttpPort() {
        return httpPort;
    }

    public void setHttpPort(int httpPort) {
        this.httpPort = httpPort;
    }

    public String getBase() {
        return base;
    }

    public void setBase(String base) {
        this.base = base;
    }

    public String getJavaVmArguments() {
        return javaVmArguments;
    }

    public void setJavaVmArguments(String javaVmArguments) {
        this.javaVmArguments = javaVmArguments;
    }

    @Override
    public void validate() throws ConfigurationException {
        if (base == null || base.isBlank()) {
            throw new ConfigurationException("base (the JETTY_BASE to lay out) is required");
        }
    }
}
