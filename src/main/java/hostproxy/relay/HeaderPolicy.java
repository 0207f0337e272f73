package hostproxy.relay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place that decides which headers cross the proxy, in both directions, and which it adds.
 * Pure: lists of header fields in, a list out.
 */
public final class HeaderPolicy {
    /**
     * Hop-by-hop fields (RFC 9110 §7.6.1), plus the legacy {@code Keep-Alive} and
     * {@code Proxy-Connection}; {@code Proxy-Authorization}/{@code -Authenticate} are meant for this
     * hop only (RFC 9110 §11.7). Fields named in {@code Connection} are added per message.
     */
    static final Set<String> HOP_BY_HOP = names("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate");

    /**
     * Request fields this proxy replaces rather than forwards: {@code Host} (chosen by
     * {@code preserveHost}), {@code Content-Length} (the client library frames the streamed body),
     * {@code Expect} (the servlet container has already answered the client's 100-continue),
     * {@code Proxy} (httpoxy: a CGI backend would take it for HTTP_PROXY), and the forwarded fields,
     * which are rebuilt so that a client cannot forge them (from a trusted proxy: extended, see
     * {@link #KEPT_FROM_TRUSTED_PROXY}).
     */
    private static final Set<String> REPLACED_ON_REQUEST = names("host", "content-length", "expect", "proxy",
            "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "via");

    /** What a trusted proxy said of the client's scheme, host and port stands; we add ours only where it said nothing. */
    private static final Set<String> KEPT_FROM_TRUSTED_PROXY = names("x-forwarded-proto", "x-forwarded-host",
            "x-forwarded-port");

    private HeaderPolicy() {
    }

    /**
     * A set of field names that matches any case (RFC 9110 §5.1), looked up on every message
     * without lower-casing a copy of each name.
     */
    private static Set<String> names(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Arrays.asList(names));
        return Collections.unmodifiableSet(set);
    }

    /** The fields to send to the backend for a request that arrived with {@code incoming}. */
    public static List<HeaderField> toBackend(List<HeaderField> incoming, Forwarding f) {
        Set<String> named = namedInConnection(incoming);
        List<HeaderField> out = new ArrayList<>(incoming.size() + 7);
        for (HeaderField h : incoming) {
            String name = h.name();
            boolean replaced = REPLACED_ON_REQUEST.contains(name)
                    && !(f.peerTrusted() && KEPT_FROM_TRUSTED_PROXY.contains(name));
            if (!replaced && !HOP_BY_HOP.contains(name) && !named.contains(name)) {
                out.add(h);
            }
        }
        if (f.backendHost() != null) {
            out.add(new HeaderField("Host", f.backendHost()));
        }
        // The client takes trailers, which the relay passes on: said on with the one TE an HTTP/2
        // request may carry (RFC 9113 §8.2.2; ProtocolFields keeps it for HTTP/2 backends only).
        if (listsTrailers(incoming.stream().filter(h -> h.name().equalsIgnoreCase("te")).map(HeaderField::value).toList())) {
            out.add(new HeaderField("TE", "trailers"));
        }
        // From a trusted proxy: appended to what it said (as nginx's $proxy_add_x_forwarded_for); from
        // anyone else, what the client wrote is dropped: it could name any address.
        List<HeaderField> earlier = f.peerTrusted() ? incoming : List.of();
        out.add(new HeaderField("X-Forwarded-For", appended(earlier, "x-forwarded-for", f.clientAddress())));
        addUnlessKept(out, earlier, "X-Forwarded-Proto", f.scheme());
        addUnlessKept(out, earlier, "X-Forwarded-Host", f.clientHost());
        addUnlessKept(out, earlier, "X-Forwarded-Port", Integer.toString(f.port()));
        out.add(new HeaderField("Forwarded", appended(earlier, "forwarded", forwardedElement(f))));
        out.add(new HeaderField("Via", appended(incoming, "via", f.httpVersion() + " " + f.viaToken())));
        return out;
    }

    /**
     * The fields to send to the backend for an upgrade request (a WebSocket handshake): what
     * {@link #toBackend} chose, plus {@code Connection: upgrade} and the {@code Upgrade} tokens this
     * proxy tunnels. {@code Sec-WebSocket-*} fields are end-to-end and pass like any other; the
     * client's own {@code Connection} tokens (and the fields they name) stay dropped.
     *
     * @param forwarded what {@link #toBackend} returned for the request
     */
    public static List<HeaderField> toBackendUpgrade(List<HeaderField> forwarded, String upgrade) {
        List<HeaderField> out = new ArrayList<>(forwarded);
        out.removeIf(h -> h.name().equalsIgnoreCase("te")); // HTTP/1.1: TE would need Connection: TE
        out.add(new HeaderField("Connection", "upgrade"));
        out.add(new HeaderField("Upgrade", upgrade));
        return out;
    }

    /**
     * The fields to send to the client with a backend's {@code 101 Switching Protocols}: as
     * {@link #toClient}, plus {@code Connection: upgrade} and the backend's {@code Upgrade}.
     */
    public static List<HeaderField> toClientUpgrade(List<HeaderField> incoming, String upgrade) {
        List<HeaderField> out = toClient(incoming);
        out.add(new HeaderField("Connection", "upgrade"));
        out.add(new HeaderField("Upgrade", upgrade));
        return out;
    }

    private static void addUnlessKept(List<HeaderField> out, List<HeaderField> kept, String name, String value) {
        if (kept.stream().noneMatch(h -> h.name().equalsIgnoreCase(name))) {
            out.add(new HeaderField(name, value));
        }
    }

    /** The fields to send to the client for a response that arrived with {@code incoming}. */
    public static List<HeaderField> toClient(List<HeaderField> incoming) {
        Set<String> named = namedInConnection(incoming);
        // The body was framed by its chunks, which win over any Content-Length (RFC 9112 §6.3):
        // the length, shorter or longer, does not describe what the client will get.
        boolean chunked = has(incoming, "transfer-encoding");
        List<HeaderField> out = new ArrayList<>(incoming.size());
        for (HeaderField h : incoming) {
            String name = h.name();
            if (!HOP_BY_HOP.contains(name) && !named.contains(name) && !(chunked && name.equalsIgnoreCase("content-length"))) {
                out.add(h);
            }
        }
        return out;
    }

    /** Whether {@code TE} field values list {@code trailers} (RFC 9110 §10.1.4): the sender takes trailer fields. */
    static boolean listsTrailers(List<String> teValues) {
        for (String te : teValues) {
            for (String coding : te.split(",")) {
                if (coding.split(";")[0].trim().equalsIgnoreCase("trailers")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Trailer fields that must never cross as trailers (RFC 9110 §6.5.1): framing and routing
     * fields, which a recipient would read as the message's own; the hop-by-hop ones go anyway.
     */
    private static final Set<String> NOT_IN_TRAILERS = names("content-length", "host");

    /**
     * The trailer fields to pass on, either way: the hop-by-hop rules of header fields (the
     * trailers' own {@code Connection} included, though a sender should not put one there), and no
     * framing or routing field.
     */
    public static List<HeaderField> trailers(List<HeaderField> incoming) {
        Set<String> named = namedInConnection(incoming);
        List<HeaderField> out = new ArrayList<>(incoming.size());
        for (HeaderField h : incoming) {
            String name = h.name();
            if (!HOP_BY_HOP.contains(name) && !named.contains(name) && !NOT_IN_TRAILERS.contains(name)) {
                out.add(h);
            }
        }
        return out;
    }

    /** The fields a message's {@code Connection} names as hop-by-hop (RFC 9110 §7.6.1); usually none. */
    private static Set<String> namedInConnection(List<HeaderField> fields) {
        Set<String> names = Set.of();
        for (HeaderField h : fields) {
            if (h.name().equalsIgnoreCase("connection")) {
                for (String token : h.value().split(",")) {
                    if (!token.isBlank()) {
                        if (names.isEmpty()) {
                            names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
                        }
                        names.add(token.trim());
                    }
                }
            }
        }
        return names;
    }

    /** RFC 7239 §4: {@code for=...;host=...;proto=...}, quoting values that are not tokens. */
    static String forwardedElement(Forwarding f) {
        String node = f.clientAddress().contains(":") ? "\"[" + f.clientAddress() + "]\"" : f.clientAddress();
        return "for=" + node + ";host=" + quotedIfNeeded(f.clientHost()) + ";proto=" + f.scheme();
    }

    private static String quotedIfNeeded(String value) {
        for (char c : value.toCharArray()) {
            boolean tchar = Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar || c > 127) {
                return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            }
        }
        return value;
    }

    private static String appended(List<HeaderField> incoming, String name, String element) {
        StringBuilder joined = new StringBuilder();
        for (HeaderField h : incoming) {
            if (h.name().equalsIgnoreCase(name) && !h.value().isBlank()) {
                joined.append(h.value().trim()).append(", ");
            }
        }
        return joined.append(element).toString();
    }

    private static boolean has(List<HeaderField> fields, String name) {
        for (HeaderField h : fields) {
            if (h.name().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
