package hostproxy.it.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** What a test backend writes back: raw bytes, so that a test can also misbehave on purpose. */
@FunctionalInterface
public interface Reply {
    /** Writes the response; returns false to close the connection afterwards. */
    boolean write(OutputStream out, Socket socket) throws IOException;

    static Reply text(int status, String body, String... headerLines) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return raw(status, bytes, headerLines);
    }

    static Reply raw(int status, byte[] body, String... headerLines) {
        return (out, socket) -> {
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(" Whatever\r\n");
            for (String line : headerLines) {
                head.append(line).append("\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return true;
        };
    }

    /** A response head followed by whatever {@code body} writes. */
    static Reply head(String statusLineAndHeaders, Body body) {
        return (out, socket) -> {
            out.write((statusLineAndHeaders.replace("\n", "\r\n") + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return body.write(out, socket);
        };
    }

    /**
     * A chunked {@code 200} whose body goes on until the connection is cut (about 1.6 GB at most):
     * only a client leaving, or being cut off, ends it.
     */
    static Reply endlessChunked() {
        byte[] chunk = ("4000\r\n" + "x".repeat(0x4000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        return head("HTTP/1.1 200 OK\nTransfer-Encoding: chunked", (out, socket) -> {
            for (int i = 0; i < 100_000; i++) {
                out.write(chunk);
            }
            return false;
        });
    }

    @FunctionalInterface
    interface Body {
        boolean write(OutputStream out, Socket socket) throws IOException;
    }
}
