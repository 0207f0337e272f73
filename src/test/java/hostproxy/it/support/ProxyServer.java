package hostproxy.it.support;

import hostproxy.containers.dist.Trees;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ApplicationParameter;

/**
 * A real Tomcat 11 on a loopback port, running the packaged {@code hostproxy.war} (built by the
 * package phase) as its ROOT application. Settings are given as context {@code <Parameter>}s, just
 * as a {@code conf/Catalina/localhost/ROOT.xml} would give them.
 */
public final class ProxyServer implements AutoCloseable {
    /** The {@code backendNetworks} of every proxy unless a test gives its own: where the tests' backends are. */
    public static final String LOOPBACK = "127.0.0.0/8,::1";
    private final Tomcat tomcat;
    private final Context context;
    private final LogCapture log;
    private final TestDns dns;
    /** Tomcat's base directory (the unpacked WAR, about 8 MB), removed on close. */
    private final Path base;

    private ProxyServer(Tomcat tomcat, Path base, Context context, LogCapture log, TestDns dns) {
        this.tomcat = tomcat;
        this.base = base;
        this.context = context;
        this.log = log;
        this.dns = dns;
    }

    /**
     * Starts the proxy. Unless the settings name DNS servers, it gets a {@link TestDns} of its own,
     * so that no lookup of any test ever leaves this machine; names of the tests' hosts file
     * resolve through that file, which hostproxy reads before asking DNS.
     */
    public static ProxyServer start(Map<String, String> given) throws Exception {
        TestDns dns = given.containsKey("dnsServers") ? null : TestDns.start();
        Map<String, String> settings = new java.util.HashMap<>(given);
        if (dns != null) {
            settings.put("dnsServers", dns.server());
        }
        // The admin port is off unless a test asks for one (AdminServers picks a free port for it).
        settings.putIfAbsent("adminPort", "0");
        // The tests' backends are on loopback addresses, which backendNetworks' default refuses.
        settings.putIfAbsent("backendNetworks", LOOPBACK);
        LogCapture log = LogCapture.install();
        Path base = Files.createTempDirectory("hostproxy-tomcat");
        Files.createDirectories(base.resolve("webapps"));
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        // A proxy must forward %2F as sent; Tomcat rejects it by default (see conf/ for the same advice).
        connector.setEncodedSolidusHandling("passthrough");
        tomcat.setConnector(connector);
        tomcat.getHost().setAutoDeploy(false);
        tomcat.setAddDefaultWebXmlToWebapp(false);
        Context context = tomcat.addWebapp("", war().getAbsolutePath());
        for (Map.Entry<String, String> s : settings.entrySet()) {
            ApplicationParameter p = new ApplicationParameter();
            p.setName(s.getKey());
            p.setValue(s.getValue());
            context.addApplicationParameter(p);
        }
        tomcat.start();
        return new ProxyServer(tomcat, base, context, log, dns);
    }

    private static File war() {
        String path = System.getProperty("it.hostproxy.war");
        File war = path == null ? null : new File(path);
        if (war == null || !war.isFile()) {
            throw new IllegalStateException("the packaged WAR is missing (" + path + "): run ./mvnw verify");
        }
        return war;
    }

    public int port() {
        return tomcat.getConnector().getLocalPort();
    }

    /** Connections Tomcat keeps waiting for an event (asynchronous requests, upgraded connections): 0 at rest. */
    public int waitingProcessors() {
        return ((org.apache.coyote.AbstractProtocol<?>) tomcat.getConnector().getProtocolHandler()).getWaitingProcessorCount();
    }

    /** The embedded Tomcat's host, for a test that adds a valve (an access log) of its own. */
    public org.apache.catalina.Host host() {
        return tomcat.getHost();
    }

    /** Whether the application started: an invalid setting must stop it. */
    public boolean deployed() {
        return context.getState() == LifecycleState.STARTED;
    }

    /** The DNS server this proxy asks (when the test did not name its own). */
    public TestDns dns() {
        return dns;
    }

    public LogCapture log() {
        return log;
    }

    /** Stops and removes the application, as an undeploy does; Tomcat runs its leak detection then. */
    public void undeploy() {
        tomcat.getHost().removeChild(context);
    }

    @Override
    public void close() throws LifecycleException {
        try {
            tomcat.stop();
            tomcat.destroy();
            Trees.remove(base);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not remove " + base, e);
        } finally {
            log.close();
            if (dns != null) {
                try {
                    dns.close();
                } catch (java.io.IOException e) {
                    // already stopped by the test
                }
            }
        }
    }

    /** Collects log records of every logger while a server runs, to assert what was (not) logged. */
    public static final class LogCapture extends Handler {
        private final List<LogRecord> records = new ArrayList<>();

        public static LogCapture install() {
            LogCapture capture = new LogCapture();
            capture.setLevel(Level.ALL);
            Logger.getLogger("").addHandler(capture);
            return capture;
        }

        @Override
        public synchronized void publish(LogRecord record) {
            records.add(record);
        }

        /** The messages (no logger name, no exception) of one logger at {@code atLeast} or above. */
        public synchronized List<String> texts(String logger, Level atLeast) {
            return records.stream().filter(r -> logger.equals(r.getLoggerName()) && r.getLevel().intValue() >= atLeast.intValue())
                    .map(LogRecord::getMessage).toList();
        }

        public synchronized List<String> messages(Level atLeast) {
            List<String> out = new ArrayList<>();
            for (LogRecord r : records) {
                if (r.getLevel().intValue() >= atLeast.intValue()) {
                    String text = r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown());
                    out.add(r.getLoggerName() + ": " + text);
                }
            }
            return out;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }

        public void clear() {
            synchronized (this) {
                records.clear();
            }
        }
    }

}
