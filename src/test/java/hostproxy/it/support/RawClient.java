package hostproxy.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A client that sends exactly the bytes a test writes (absolute-form targets, several Host headers,
 * {@code %2F}...) and reads responses as they arrive, one keep-alive connection at a time.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawClient(int port) throws IOException {
        this(port, null);
    }

    /** @param localAddress the loopback address the client connects from (e.g. 127.0.0.77), or {@code null} */
    public RawClient(int port, String localAddress) throws IOException {
        socket = new Socket();
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(15_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends a request head (lines joined with CRLF, blank line added) and an optional body. */
    public RawClient send(String head, byte[] body) throws IOException {
        out.write((head.replace("\n", "\r\n") + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.write(body);
        }
        out.flush();
        return this;
    }

    public RawClient sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** One request, one response, on a fresh connection. */
    public static RawResponse exchange(int port, String head) throws IOException {
        try (RawClient c = new RawClient(port)) {
            return c.send(head, null).read(head.startsWith("HEAD "));
        }
    }

    public RawResponse read() throws IOException {
        return read(false);
    }

    /** Reads the next response (1xx included); {@code headRequest}: the response has no body. */
    public RawResponse read(boolean headRequest) throws IOException {
        String statusLine = HttpWire.readLine(in);
        if (statusLine == null) {
            throw new SocketException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        List<Field> headers = HttpWire.readFields(in);
        if (headRequest || status < 200 || status == 204 || status == 304) {
            return new RawResponse(statusLine, status, headers, new byte[0], true);
        }
        String length = HttpWire.first(headers, "Content-Length");
        String encoding = HttpWire.first(headers, "Transfer-Encoding");
        try {
            if (encoding != null && encoding.toLowerCase().contains("chunked")) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                boolean complete = HttpWire.readChunked(in, body);
                return new RawResponse(statusLine, status, headers, body.toByteArray(), complete);
            }
            if (length != null) {
                byte[] body = HttpWire.readUpTo(in, Long.parseLong(length));
                return new RawResponse(statusLine, status, headers, body, body.length == Long.parseLong(length));
            }
            return new RawResponse(statusLine, status, headers, in.readAllBytes(), true);
        } catch (SocketException e) {
            // a reset while reading the body: the message did not complete
            return new RawResponse(statusLine, status, headers, new byte[0], false);
        }
    }

    /** Reads one line of a streamed body as it arrives (for event streams); {@code null} at end. */
    public String readLine() throws IOException {
        return HttpWire.readLine(in);
    }

    public InputStream input() {
        return in;
    }

    /**
     * Reads until the server ends the connection (closes or resets it) and returns the last bytes
     * read, enough to tell whether a chunked body ended with its last chunk; {@code null} if the
     * connection is still open after {@code bound} (or the 15 s read timeout).
     */
    public byte[] readTail(Duration bound) throws IOException {
        byte[] buffer = new byte[65536];
        byte[] tail = new byte[0];
        long deadline = System.nanoTime() + bound.toNanos();
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (System.nanoTime() > deadline) {
                    return null;
                }
                byte[] joined = new byte[tail.length + n];
                System.arraycopy(tail, 0, joined, 0, tail.length);
                System.arraycopy(buffer, 0, joined, tail.length, n);
                tail = Arrays.copyOfRange(joined, Math.max(0, joined.length - 7), joined.length);
            }
            return tail;
        } catch (SocketTimeoutException stillOpen) {
            return null;
        } catch (SocketException reset) {
            return tail; // dropped: as good as closed
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
