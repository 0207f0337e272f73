package hostproxy.relay;

/** One header field as it appears on the wire: name (any case) and value. */
public record HeaderField(String name, String value) {
}
