package hostproxy.it.support;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A request exactly as a backend received it.
 *
 * @param target  the request target, byte for byte
 * @param chunked whether the body came with chunked transfer coding
 */
public record RecordedRequest(String method, String target, String version, List<Field> headers, byte[] body,
        boolean chunked) {
    public String header(String name) {
        return HttpWire.first(headers, name);
    }

    public List<String> headers(String name) {
        return headers.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).toList();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
