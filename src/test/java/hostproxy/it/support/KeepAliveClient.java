package hostproxy.it.support;

import java.io.IOException;

/**
 * Sends request after request on one connection, opening a new one whenever the server closed the
 * last (Tomcat does after {@code maxKeepAliveRequests}, 100 by default), as any HTTP client would.
 */
public final class KeepAliveClient implements AutoCloseable {
    private final int port;
    private RawClient connection;

    public KeepAliveClient(int port) {
        this.port = port;
    }

    /** Sends a request head without a body and reads its response. */
    public RawResponse send(String head) throws IOException {
        if (connection == null) {
            connection = new RawClient(port);
        }
        RawResponse r = connection.send(head, null).read(head.startsWith("HEAD "));
        if ("close".equalsIgnoreCase(r.header("Connection"))) {
            close();
        }
        return r;
    }

    @Override
    public void close() throws IOException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
