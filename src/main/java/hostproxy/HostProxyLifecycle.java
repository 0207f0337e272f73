package hostproxy;

import hostproxy.config.InvalidSettingException;
import hostproxy.config.ProxyConfig;
import hostproxy.config.SettingSources;
import hostproxy.config.UnknownSettings;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Builds the proxy once when the web application starts and closes it when it stops. An invalid
 * setting throws here, which makes the container refuse the deployment with the setting's message;
 * that one line is also written to the container's console (standard error), since containers log
 * a listener's failure only to a log of their own (Tomcat: {@code localhost.<date>.log}).
 */
public final class HostProxyLifecycle implements ServletContextListener {
    static final String ATTRIBUTE = HostProxy.class.getName();
    /** The servlet's name in web.xml, whose init-params are also settings. */
    static final String SERVLET_NAME = "hostproxy";
    private static final Logger LOG = Logger.getLogger(HostProxyLifecycle.class.getName());

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        ServletRegistration servlet = context.getServletRegistration(SERVLET_NAME);
        warnOfUnknownSettings(context, servlet);
        ProxyConfig config;
        try {
            config = ProxyConfig.from(SettingSources.of(
                    context::getInitParameter,
                    servlet == null ? key -> null : servlet::getInitParameter,
                    System::getProperty,
                    System::getenv));
        } catch (InvalidSettingException e) {
            System.err.println(e.getMessage() + " (application " + describe(context) + " not started)");
            throw e;
        }
        HostProxy proxy = new HostProxy(config, context.getServerInfo());
        context.setAttribute(ATTRIBUTE, proxy);
        LOG.info(() -> "hostproxy started (" + proxy.viaToken() + "): " + config);
    }

    /** One WARNING per name given where settings are read that is no setting (a typo), before any is read. */
    private static void warnOfUnknownSettings(ServletContext context, ServletRegistration servlet) {
        List<String> warnings = UnknownSettings.warnings(Collections.list(context.getInitParameterNames()),
                servlet == null ? List.of() : servlet.getInitParameters().keySet(),
                System.getProperties().stringPropertyNames(), System.getenv().keySet(),
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows"));
        for (String w : warnings) {
            LOG.warning(w); // (not through a method reference: the log would name its caller, Iterable.forEach)
        }
    }

    private static String describe(ServletContext context) {
        String path = context.getContextPath();
        return path.isEmpty() ? "/" : path;
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Object proxy = event.getServletContext().getAttribute(ATTRIBUTE);
        event.getServletContext().removeAttribute(ATTRIBUTE);
        if (proxy instanceof HostProxy p) {
            try {
                p.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing backend connections failed", e);
            }
        }
    }
}
