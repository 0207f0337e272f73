package hostproxy.relay;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate");

    /**
     * Request fields this proxy replaces rather than forwards: {@code Host} (chosen by
     * {@code preserveHost}), {@code Content-Length} (the client library frames the streamed body),
     * {@code Expect} (the servlet container has already answered the client's 100-continue),
     * {@code Proxy} (httpoxy: a CGI backend would take it for HTTP_PROXY), and the forwarded fields,
     * which are rebuilt so that a client cannot forge them (from a trusted proxy: extended, see
     * {@link #KEPT_FROM_TRUSTED_PROXY}).
     */
    private static final Set<String> REPLACED_ON_REQUEST = Set.of("host", "content-length", "expect", "proxy",
            "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "via");

    /** What a trusted proxy said of the client's scheme, host and port stands; we add ours only where it said nothing. */
    private static final Set<String> KEPT_FROM_TRUSTED_PROXY = Set.of("x-forwarded-proto", "x-forwarded-host",
            "x-forwarded-port");

    private HeaderPolicy() {
    }

    /** The fields to send to the backend for a request that arrived with {@code incoming}. */
    public static List<HeaderField> toBackend(List<HeaderField> incoming, Forwarding f) {
        Set<String> dropped = hopByHop(incoming);
        dropped.addAll(REPLACED_ON_REQUEST);
        if (f.peerTrusted()) {
            dropped.removeAll(KEPT_FROM_TRUSTED_PROXY);
        }
        List<HeaderField> out = new ArrayList<>(incoming.size() + 7);
        for (HeaderField h : incoming) {
            if (!dropped.contains(lower(h.name()))) {
                out.add(h);
            }
        }
        if (f.backendHost() != null) {
            out.add(new HeaderField("Host", f.backendHost()));
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

    private static void addUnlessKept(List<HeaderField> out, List<HeaderField> kept, String name, String value) {
        if (kept.stream().noneMatch(h -> h.name().equalsIgnoreCase(name))) {
            out.add(new HeaderField(name, value));
        }
    }

    /** The fields to send to the client for a response that arrived with {@code incoming}. */
    public static List<HeaderField> toClient(List<HeaderField> incoming) {
        Set<String> dropped = hopByHop(incoming);
        if (has(incoming, "transfer-encoding")) {
            // The body was framed by its chunks, which win over any Content-Length (RFC 9112 §6.3):
            // the length, shorter or longer, does not describe what the client will get.
            dropped.add("content-length");
        }
        List<HeaderField> out = new ArrayList<>(incoming.size());
        for (HeaderField h : incoming) {
            if (!dropped.contains(lower(h.name()))) {
                out.add(h);
            }
        }
        return out;
    }

    /** The hop-by-hop set plus every field named in {@code Connection} (RFC 9110 §7.6.1). */
    static Set<String> hopByHop(List<HeaderField> fields) {
        Set<String> names = new HashSet<>(HOP_BY_HOP);
        for (HeaderField h : fields) {
            if (h.name().equalsIgnoreCase("connection")) {
                for (String token : h.value().split(",")) {
                    if (!token.isBlank()) {
                        names.add(lower(token.trim()));
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

    private static boolean has(List<HeaderField> fields, String lowerName) {
        for (HeaderField h : fields) {
            if (lower(h.name()).equals(lowerName)) {
                return true;
            }
        }
        return false;
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
