package hostproxy.it.support;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A response as the client received it.
 *
 * @param complete false when the connection ended before the message did (short Content-Length
 *                 body, no last chunk): what a client must see when a backend broke off
 */
public record RawResponse(String statusLine, int status, List<Field> headers, byte[] body, boolean complete) {
    public String header(String name) {
        return HttpWire.first(headers, name);
    }

    public List<String> headers(String name) {
        return headers.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).toList();
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
