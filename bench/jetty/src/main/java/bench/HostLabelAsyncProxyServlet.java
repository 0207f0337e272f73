package bench;

import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.proxy.AsyncProxyServlet;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty 12's {@link AsyncProxyServlet} (non-blocking request and response bodies, Jetty's async
 * HttpClient) routing like hostproxy: Host "alpha.example.com" -> http://alpha:BACKEND_PORT/same/path?query.
 * Deployed as a plain servlet in Tomcat (bench/conf/jetty-async-web.xml), init parameter
 * {@code backendPort} (default 8080).
 *
 * <p>Init parameter {@code flushEachContent} (default false): Jetty's StreamWriter only calls
 * {@code ServletOutputStream.write}; in Jetty's own container an asynchronous write goes out at
 * once, but Tomcat keeps it in its 8 KiB response buffer until the buffer is full or the response
 * ends, so small server-sent events never reach the client.  With {@code true} the output is also
 * flushed after each relayed content chunk (when {@code isReady()}, before the chunk's callback
 * lets Jetty's client deliver the next one).  Used by bench/run --sse as
 * {@code jetty-async-tomcat-flush}; not in the throughput table.
 */
public class HostLabelAsyncProxyServlet extends AsyncProxyServlet {
    private static final long serialVersionUID = 1L;

    private boolean flushEachContent;

    @Override
    public void init() throws ServletException {
        super.init();
        flushEachContent = Boolean.parseBoolean(getServletConfig().getInitParameter("flushEachContent"));
    }

    @Override
    protected void onResponseContent(HttpServletRequest request, HttpServletResponse response,
            Response proxyResponse, byte[] buffer, int offset, int length, Callback callback) {
        if (!flushEachContent) {
            super.onResponseContent(request, response, proxyResponse, buffer, offset, length, callback);
            return;
        }
        super.onResponseContent(request, response, proxyResponse, buffer, offset, length, new Callback() {
            @Override
            public void succeeded() {
                try {
                    ServletOutputStream out = response.getOutputStream();
                    if (out.isReady()) {
                        out.flush();
                    }
                } catch (Throwable x) {
                    callback.failed(x);
                    return;
                }
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        });
    }

    @Override
    protected String rewriteTarget(HttpServletRequest request) {
        String host = request.getServerName();
        if (host == null || host.isEmpty()) {
            return null; // -> 403 from the proxy servlet
        }
        int dot = host.indexOf('.');
        String label = dot > 0 ? host.substring(0, dot) : host;
        String port = getServletConfig().getInitParameter("backendPort");
        StringBuilder uri = new StringBuilder(64)
                .append("http://").append(label).append(':').append(port == null ? "8080" : port)
                .append(request.getRequestURI());
        String query = request.getQueryString();
        if (query != null) {
            uri.append('?').append(query);
        }
        return uri.toString();
    }
}
