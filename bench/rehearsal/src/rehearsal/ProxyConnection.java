package rehearsal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A client's keep-alive HTTP/1.1 connection to the proxy, opened when first needed and again after
 * it was closed, carrying the sticky-session cookie the proxy last set, as a browser would.
 */
final class ProxyConnection implements AutoCloseable {
    private final InetSocketAddress proxy;
    private final int readTimeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private String cookie;

    ProxyConnection(InetSocketAddress proxy, int readTimeoutMillis) {
        this.proxy = proxy;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /** Sends a request head (a body, if any, follows through {@link #out()}). */
    void request(String method, String target, String host, String id, String... more) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.connect(proxy, 10_000);
            socket.setSoTimeout(readTimeoutMillis);
            in = new BufferedInputStream(socket.getInputStream(), 32 * 1024);
            out = new BufferedOutputStream(socket.getOutputStream(), 32 * 1024);
        }
        String[] fields = new String[more.length + 3];
        fields[0] = "Host: " + host + ".rehearsal.test";
        fields[1] = "X-Request-Id: " + id;
        fields[2] = cookie == null ? "User-Agent: rehearsal" : "Cookie: " + cookie;
        System.arraycopy(more, 0, fields, 3, more.length);
        Wire.writeHead(out, method + " " + target + " HTTP/1.1", fields);
    }

    OutputStream out() {
        return out;
    }

    InputStream in() {
        return in;
    }

    /** The response head; {@code null} if the connection ended before one. Takes the sticky cookie. */
    Wire.Head readHead() throws IOException {
        out.flush();
        Wire.Head head = Wire.readHead(in);
        if (head != null) {
            String set = head.field("set-cookie");
            if (set != null && set.startsWith("hostproxy_sticky=")) {
                cookie = set.substring(0, set.indexOf(';') < 0 ? set.length() : set.indexOf(';'));
            }
        }
        return head;
    }

    /** After an answer: the connection stays for the next request only if both ends may keep it. */
    void after(Wire.Head head, boolean complete) {
        if (!complete || head == null || "close".equalsIgnoreCase(head.field("connection"))) {
            close();
        }
    }

    /** Leaves at once, with a reset (no FIN): a client that vanished. */
    void vanish() {
        if (socket != null) {
            try {
                socket.setSoLinger(true, 0);
            } catch (IOException e) {
                // closing anyway
            }
        }
        close();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closed anyway
            }
            socket = null;
        }
    }
}
