package hostproxy.relay;

import jakarta.servlet.ServletInputStream;

/**
 * A client's request body, not read yet: the relay reads it as the client sends it and the backend
 * takes it.
 *
 * @param stream     the servlet's input, read without blocking once the relay has set its listener
 * @param length     the body's length, or {@code -1} to send it chunked
 * @param mayBeEmpty an HTTP/2 request without {@code Content-Length}: whether there is a body at all
 *                   is known only from its first read (its END_STREAM may have come with its headers)
 * @param limit      the most bytes a body of unknown length may have ({@code maxBodySize}), or {@code -1}
 */
public record ClientBody(ServletInputStream stream, long length, boolean mayBeEmpty, long limit) {
    public ClientBody(ServletInputStream stream, long length, boolean mayBeEmpty) {
        this(stream, length, mayBeEmpty, -1);
    }

    ClientBody withLimit(long bytes) {
        return new ClientBody(stream, length, mayBeEmpty, bytes);
    }
}
