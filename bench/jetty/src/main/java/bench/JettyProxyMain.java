package bench;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Embedded Jetty 12 running Jetty's own ProxyServlet, routing like hostproxy:
 * Host "alpha.example.com" -> http://alpha:BACKEND_PORT/same/path?same=query.
 * Usage: java -cp ... bench.JettyProxyMain BIND_HOST PORT BACKEND_PORT
 */
public final class JettyProxyMain {

    /** ProxyServlet whose target is taken from the first label of the Host header. */
    public static final class HostLabelProxyServlet extends ProxyServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected String rewriteTarget(HttpServletRequest request) {
            String host = request.getServerName();
            if (host == null || host.isEmpty()) {
                return null; // -> 403 from ProxyServlet
            }
            int dot = host.indexOf('.');
            String label = dot > 0 ? host.substring(0, dot) : host;
            StringBuilder uri = new StringBuilder(64)
                    .append("http://").append(label).append(':')
                    .append(getServletConfig().getInitParameter("backendPort"))
                    .append(request.getRequestURI());
            String query = request.getQueryString();
            if (query != null) {
                uri.append('?').append(query);
            }
            return uri.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        String bind = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 18083;
        String backendPort = args.length > 2 ? args[2] : "8080";

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(bind);
        connector.setPort(port);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder(new HostLabelProxyServlet());
        holder.setInitParameter("backendPort", backendPort);
        // Same order of magnitude as the other proxies' pools (default is 256 per destination).
        holder.setInitParameter("maxConnections", "4096");
        holder.setInitParameter("idleTimeout", "60000");
        holder.setInitParameter("timeout", "60000");
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/*");
        server.setHandler(context);
        server.start();
        System.out.println("jetty-proxy listening on " + bind + ":" + port);
        server.join();
    }
}
