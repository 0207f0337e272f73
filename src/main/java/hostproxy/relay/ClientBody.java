package hostproxy.relay;

import jakarta.servlet.ServletInputStream;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A client's request body, not read yet: the relay reads it as the client sends it and the backend
 * takes it.
 *
 * @param stream     the servlet's input, read without blocking once the relay has set its listener
 * @param length     the body's length, or {@code -1} to send it chunked
 * @param mayBeEmpty an HTTP/2 request without {@code Content-Length}: whether there is a body at all
 *                   is known only from its first read (its END_STREAM may have come with its headers)
 * @param limit      the most bytes a body of unknown length may have ({@code maxBodySize}), or {@code -1}
 * @param trailers   the request's trailer fields, asked once the body has been read to its end
 *                   (Servlet 6's {@code getTrailerFields}); none: an empty map
 */
public record ClientBody(ServletInputStream stream, long length, boolean mayBeEmpty, long limit,
        Supplier<Map<String, String>> trailers) {
    public ClientBody(ServletInputStream stream, long length, boolean mayBeEmpty, Supplier<Map<String, String>> trailers) {
        this(stream, length, mayBeEmpty, -1, trailers);
    }

    ClientBody withLimit(long bytes) {
        return new ClientBody(stream, length, mayBeEmpty, bytes, trailers);
    }
}
