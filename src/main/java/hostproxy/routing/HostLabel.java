package hostproxy.routing;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Extracts the first label from an authority ({@code host[:port]}), or says why it cannot.
 * The host must be a DNS name: labels of letters, digits and inner hyphens, 1 to 63 characters
 * each (RFC 1123 §2.1). IP literals are refused: there is no service name in them.
 */
final class HostLabel {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern PORT = Pattern.compile("\\d{0,5}");
    private static final Pattern IPV4_LIKE = Pattern.compile("[0-9.]+");

    private HostLabel() {
    }

    /** The lower-cased first label, or the rejection saying what is wrong with the authority. */
    record Parsed(String label, Rejection rejection) {
        private static Parsed bad(String reason) {
            return new Parsed(null, Rejection.badRequest(reason));
        }
    }

    /** RFC 3986 §3.2.3 allows any digits; TCP ports are 1–65535 (0 is no port). */
    private static boolean validPort(int port) {
        return port >= 1 && port <= 65_535;
    }

    /**
     * Whether two authorities name the same host: names compared without case, ports only when
     * both give one (an HTTP/2 container may report the scheme's default port as none).
     */
    static boolean sameHost(String a, String b) {
        String[] x = hostAndPort(a);
        String[] y = hostAndPort(b);
        return x[0].equalsIgnoreCase(y[0]) && (x[1] == null || y[1] == null || x[1].equals(y[1]));
    }

    private static String[] hostAndPort(String authority) {
        int colon = authority.lastIndexOf(':');
        boolean hasPort = colon >= 0 && authority.indexOf(']', colon) < 0;
        return hasPort ? new String[] {authority.substring(0, colon), authority.substring(colon + 1)}
                : new String[] {authority, null};
    }

    static Parsed firstLabel(String authority) {
        if (authority.isEmpty()) {
            return Parsed.bad("empty Host header");
        }
        if (authority.startsWith("[")) {
            return Parsed.bad("Host is an IP address; name a service instead");
        }
        String host = authority;
        int colon = authority.lastIndexOf(':');
        if (colon >= 0) {
            String port = authority.substring(colon + 1);
            if (!PORT.matcher(port).matches() || !port.isEmpty() && !validPort(Integer.parseInt(port))) {
                return Parsed.bad("invalid port in Host header");
            }
            host = authority.substring(0, colon);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1); // a fully qualified name: "api.example.com."
        }
        if (IPV4_LIKE.matcher(host).matches()) {
            return Parsed.bad("Host is an IP address; name a service instead");
        }
        if (host.isEmpty() || host.length() > 253) {
            return Parsed.bad("invalid host name in Host header");
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return Parsed.bad("invalid host name in Host header");
            }
        }
        int dot = host.indexOf('.');
        return new Parsed(dot < 0 ? host : host.substring(0, dot), null);
    }
}
