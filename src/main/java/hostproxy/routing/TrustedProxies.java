package hostproxy.routing;

import hostproxy.config.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Works out the real client behind the load balancers of {@code trustedProxies}, as nginx's
 * {@code real_ip_recursive on} does: from a trusted peer, the right-most address of
 * {@code X-Forwarded-For} (or, without one, of {@code Forwarded: for=}) that is not itself a trusted
 * proxy. From any other peer nothing the request says about its origin is believed. Pure code.
 */
public final class TrustedProxies {
    private final List<Cidr> trusted;

    public TrustedProxies(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    public boolean trusts(String address) {
        InetAddress a = Cidr.literal(address);
        return a != null && Cidr.anyContains(trusted, a);
    }

    /**
     * @param peer       the address of the connection's other end
     * @param scheme     the connection's scheme, {@code http} or {@code https}
     * @param host       the authority of the request (absolute-form target or Host)
     * @param forwarding every field {@code X-Forwarded-For}, {@code -Proto}, {@code -Host} and
     *                   {@code Forwarded}, by lower-case name
     */
    public ClientView view(String peer, String scheme, String host, Headers forwarding) {
        boolean https = scheme.equalsIgnoreCase("https");
        if (!trusts(peer)) {
            return new ClientView(peer, https, host, false);
        }
        List<String> chain = items(forwarding.values("x-forwarded-for"));
        if (chain.isEmpty()) {
            chain = forwardedParameters(forwarding.values("forwarded"), "for");
        }
        String client = peer;
        for (int i = chain.size() - 1; i >= 0; i--) {
            client = withoutPort(chain.get(i));
            if (!trusts(client)) {
                break; // anything left of it was written by the client, or by proxies we do not know
            }
        }
        String proto = last(items(forwarding.values("x-forwarded-proto")));
        if (proto == null) {
            proto = last(forwardedParameters(forwarding.values("forwarded"), "proto"));
        }
        if (proto != null) {
            https = proto.equalsIgnoreCase("https");
        }
        String publicHost = last(items(forwarding.values("x-forwarded-host")));
        if (publicHost == null) {
            publicHost = last(forwardedParameters(forwarding.values("forwarded"), "host"));
        }
        return new ClientView(client, https, publicHost != null ? publicHost : host, true);
    }

    /** Header values by lower-case name. */
    @FunctionalInterface
    public interface Headers {
        List<String> values(String lowerCaseName);
    }

    private static List<String> items(List<String> values) {
        List<String> items = new ArrayList<>();
        for (String v : values) {
            for (String item : v.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    /** The values of one parameter in every {@code Forwarded} element (RFC 7239 §4), unquoted, in order. */
    static List<String> forwardedParameters(List<String> values, String name) {
        List<String> found = new ArrayList<>();
        for (String element : items(values)) {
            for (String pair : element.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals(name)) {
                    String v = pair.substring(eq + 1).trim();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    found.add(v);
                }
            }
        }
        return found;
    }

    /** {@code 192.0.2.7:4711} → {@code 192.0.2.7}; {@code [2001:db8::7]:80} → {@code 2001:db8::7}. */
    static String withoutPort(String node) {
        if (node.startsWith("[")) {
            int close = node.indexOf(']');
            return close < 0 ? node : node.substring(1, close);
        }
        int colon = node.indexOf(':');
        return colon >= 0 && colon == node.lastIndexOf(':') ? node.substring(0, colon) : node;
    }

    private static String last(List<String> items) {
        return items.isEmpty() ? null : items.get(items.size() - 1);
    }
}
