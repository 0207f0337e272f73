package hostproxy.tunnel;

import hostproxy.relay.ProxyError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a request asks to switch protocols in a way this proxy tunnels (pure: header values in,
 * a decision out). A request is an upgrade when its {@code Connection} names {@code upgrade} and
 * its {@code Upgrade} offers a protocol listed in {@code upgradeProtocols}; other offers (a client
 * merely offering {@code h2c}) are ignored, as RFC 9110 §7.8 allows, and the request is relayed as
 * a plain one without them.
 *
 * @param protocols the offered protocols this proxy tunnels, as the client wrote them, comma-separated
 */
public record UpgradeRequest(String protocols) {

    /**
     * @param protocol       the request's protocol ({@code HTTP/1.1}...)
     * @param connection     every {@code Connection} value
     * @param upgrade        every {@code Upgrade} value
     * @param hasBody        the request has a {@code Content-Length} above zero or a {@code Transfer-Encoding}
     * @param allowed        lower-case protocol names to tunnel ({@code upgradeProtocols})
     * @return the upgrade to tunnel, or {@code null} to relay the request as a plain one
     * @throws ProxyError 400 for an upgrade this proxy would tunnel but cannot: over HTTP/1.0, or with a body
     */
    public static UpgradeRequest of(String protocol, List<String> connection, List<String> upgrade, boolean hasBody,
            List<String> allowed) throws ProxyError {
        if (protocol.startsWith("HTTP/2") || !names(connection).contains("upgrade")) {
            return null; // HTTP/2 has no Upgrade (RFC 9113 §8.6); without Connection: upgrade it is no offer
        }
        List<String> offered = new ArrayList<>();
        for (String value : upgrade) {
            for (String token : value.split(",")) {
                String t = token.trim();
                int slash = t.indexOf('/');
                String name = (slash < 0 ? t : t.substring(0, slash)).toLowerCase(Locale.ROOT);
                if (!t.isEmpty() && allowed.contains(name)) {
                    offered.add(t);
                }
            }
        }
        if (offered.isEmpty()) {
            return null;
        }
        if (!protocol.equals("HTTP/1.1")) {
            throw new ProxyError(400, "Upgrade needs HTTP/1.1, not " + protocol);
        }
        if (hasBody) {
            throw new ProxyError(400, "an Upgrade request may not carry a body");
        }
        return new UpgradeRequest(String.join(", ", offered));
    }

    /** Whether the backend switched to one of the offered protocols (its {@code Upgrade} value). */
    public boolean accepts(String answered) {
        if (answered == null || answered.isBlank()) {
            return false;
        }
        List<String> asked = new ArrayList<>();
        for (String t : names(List.of(protocols))) {
            asked.add(withoutVersion(t));
        }
        for (String t : names(List.of(answered))) {
            if (!asked.contains(withoutVersion(t))) {
                return false;
            }
        }
        return true;
    }

    private static String withoutVersion(String token) {
        int slash = token.indexOf('/');
        return slash < 0 ? token : token.substring(0, slash);
    }

    private static List<String> names(List<String> values) {
        List<String> names = new ArrayList<>();
        for (String value : values) {
            for (String token : value.split(",")) {
                names.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }
}
