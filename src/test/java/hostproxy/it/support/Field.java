package hostproxy.it.support;

/** A header field as read off the wire. */
public record Field(String name, String value) {
}
