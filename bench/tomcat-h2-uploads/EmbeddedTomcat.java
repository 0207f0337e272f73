import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;

/**
 * {@link Upload} in an embedded Tomcat of the version on the classpath, with the HTTP/2 settings of
 * conf/tomcat/server.xml. Arguments: port (on 127.0.0.1), base directory.
 */
public class EmbeddedTomcat {
    public static void main(String[] a) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(a[1]);
        Connector c = new Connector();
        c.setPort(Integer.parseInt(a[0]));
        c.setProperty("address", "127.0.0.1");
        c.setProperty("maxThreads", "400");
        Http2Protocol h2 = new Http2Protocol();
        h2.setMaxConcurrentStreams(1000);
        h2.setOverheadDataThreshold(0);
        h2.setOverheadWindowUpdateThreshold(0);
        c.addUpgradeProtocol(h2);
        tomcat.setConnector(c);
        Context ctx = tomcat.addContext("", null);
        Wrapper w = Tomcat.addServlet(ctx, "upload", new Upload());
        w.setAsyncSupported(true);
        ctx.addServletMappingDecoded("/upload", "upload");
        tomcat.start();
        System.out.println("started " + org.apache.catalina.util.ServerInfo.getServerNumber());
        tomcat.getServer().await();
    }
}
