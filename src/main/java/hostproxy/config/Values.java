package hostproxy.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the kinds of value settings take; each names the setting when a value is bad. */
final class Values {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern GLOB = Pattern.compile("[a-z0-9*?-]{1,63}");

    private Values() {
    }

    static Duration duration(Setting setting, String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new InvalidSettingException(setting, value, "expected a duration such as 250ms, 5s or 2m");
        }
        long amount = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (d.isZero()) {
            throw new InvalidSettingException(setting, value, "must be longer than zero");
        }
        return d;
    }

    /** {@code off} ({@link Duration#ZERO}), or a duration as {@link #duration} takes it. */
    static Duration durationOrOff(Setting setting, String value) {
        if (value.equalsIgnoreCase("off")) {
            return Duration.ZERO;
        }
        try {
            return duration(setting, value);
        } catch (InvalidSettingException e) {
            throw new InvalidSettingException(setting, value, "expected off, or a duration such as 500ms, 2s or 1m");
        }
    }

    static int integer(Setting setting, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSettingException(setting, value, "expected a whole number from " + min + " to " + max);
    }

    static boolean bool(Setting setting, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidSettingException(setting, value, "expected true or false");
        };
    }

    static BackendProtocol.Scheme scheme(Setting setting, String value) {
        BackendProtocol.Scheme s = BackendProtocol.parse(value);
        if (s == null) {
            throw new InvalidSettingException(setting, value, "expected " + BackendProtocol.WORDS);
        }
        return s;
    }

    /** A host name template: DNS labels, where {@code {label}} may stand for (part of) a label. */
    static String hostTemplate(Setting setting, String value) {
        String t = value.toLowerCase(Locale.ROOT);
        if (!isHostName(t.replace("{label}", "x"))) {
            throw new InvalidSettingException(setting, value,
                    "expected a host name in which {label} stands for the request's first label, e.g. tasks.{label}");
        }
        return t;
    }

    static List<String> globs(Setting setting, String value) {
        List<String> globs = new ArrayList<>();
        for (String item : value.split(",")) {
            String g = item.trim().toLowerCase(Locale.ROOT);
            if (g.isEmpty()) {
                continue;
            }
            if (!GLOB.matcher(g).matches()) {
                throw new InvalidSettingException(setting, value,
                        "expected comma-separated label patterns of letters, digits, '-', '*' and '?'");
            }
            globs.add(g);
        }
        return List.copyOf(globs);
    }

    private static final Pattern TOKEN = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]{1,64}");

    /** Comma-separated HTTP tokens (RFC 9110 §5.6.2), lower-cased; empty: none. */
    static List<String> tokens(Setting setting, String value) {
        List<String> tokens = new ArrayList<>();
        for (String item : value.split(",")) {
            String t = item.trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty()) {
                continue;
            }
            if (!TOKEN.matcher(t).matches()) {
                throw new InvalidSettingException(setting, value, "expected comma-separated protocol names such as websocket");
            }
            tokens.add(t);
        }
        return List.copyOf(tokens);
    }

    /** {@code label=http://host:port/base, grpc=h2c://host:port, ...}; a label may appear once. */
    static Map<String, BackendTarget> routes(Setting setting, String value) {
        Map<String, BackendTarget> routes = new LinkedHashMap<>();
        for (String item : value.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            int eq = item.indexOf('=');
            String label = eq < 0 ? "" : item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!LABEL.matcher(label).matches()) {
                throw new InvalidSettingException(setting, value,
                        "expected label=http://host:port[/base] pairs separated by commas; '" + item.trim()
                                + "' does not start with a valid label");
            }
            BackendTarget target = target(setting, value, item.substring(eq + 1).trim());
            if (routes.put(label, target) != null) {
                throw new InvalidSettingException(setting, value, "label '" + label + "' is routed twice");
            }
        }
        return Map.copyOf(routes);
    }

    static BackendTarget target(Setting setting, String value, String uriText) {
        String problem = "'" + uriText + "' is not an http://, https://, h2c:// or h2:// URL with a host and no query";
        try {
            URI uri = new URI(uriText);
            BackendProtocol.Scheme scheme = uri.getScheme() == null ? null : BackendProtocol.parse(uri.getScheme());
            // an IPv6 literal comes bracketed: [fd00::7]
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT).replaceAll("^\\[|\\]$", "");
            boolean ok = scheme != null && !host.isEmpty()
                    && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null;
            if (!ok) {
                throw new InvalidSettingException(setting, value, problem);
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : scheme.scheme().equals("https") ? 443 : 80;
            String base = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
            return new BackendTarget(scheme.scheme(), host, port, base, scheme.protocol());
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(setting, value, problem);
        }
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+(%\\w+)?");

    /** IP literals with an optional port: {@code 127.0.0.11}, {@code 10.0.0.2:5353}, {@code [::1]:53}. */
    static List<InetSocketAddress> dnsServers(Setting setting, String value) {
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String item : value.split(",")) {
            String s = item.trim();
            if (s.isEmpty()) {
                continue;
            }
            String host = s;
            String port = "53";
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                host = close < 0 ? "" : s.substring(1, close);
                String rest = close < 0 ? "" : s.substring(close + 1);
                port = rest.isEmpty() ? port : rest.startsWith(":") ? rest.substring(1) : "";
            } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
                host = s.substring(0, s.indexOf(':'));
                port = s.substring(s.indexOf(':') + 1);
            }
            boolean literal = IPV4.matcher(host).matches() || (host.contains(":") && IPV6.matcher(host).matches());
            if (!literal || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new InvalidSettingException(setting, value,
                        "expected comma-separated IP addresses with an optional port, e.g. 127.0.0.11 or [fd00::53]:5353");
            }
            try {
                servers.add(new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port)));
            } catch (UnknownHostException e) { // a literal is never looked up: only a malformed one lands here
                throw new InvalidSettingException(setting, value, "'" + host + "' is not an IP address");
            }
        }
        return List.copyOf(servers);
    }

    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(|B|KB|MB|GB)", Pattern.CASE_INSENSITIVE);

    /** {@code unlimited} ({@code -1}), or bytes with an optional 1024-based unit: {@code 512KB}, {@code 10MB}, {@code 1GB}. */
    static long size(Setting setting, String value) {
        if (value.equalsIgnoreCase("unlimited")) {
            return -1;
        }
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            throw new InvalidSettingException(setting, value, "expected unlimited, or a size such as 65536, 512KB, 10MB or 1GB");
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    /** Comma-separated address blocks: {@code 10.0.0.0/8, 192.0.2.7, fd00::/8}. */
    static List<Cidr> cidrs(Setting setting, String value) {
        List<Cidr> blocks = new ArrayList<>();
        for (String item : value.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            Cidr c = Cidr.parse(item.trim());
            if (c == null) {
                throw new InvalidSettingException(setting, value,
                        "expected comma-separated IP addresses or CIDR blocks, e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8; '"
                                + item.trim() + "' is neither");
            }
            blocks.add(c);
        }
        return List.copyOf(blocks);
    }

    static StickyMode sticky(Setting setting, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "off" -> StickyMode.OFF;
            case "cookie" -> StickyMode.COOKIE;
            default -> throw new InvalidSettingException(setting, value, "expected off or cookie");
        };
    }

    private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");

    /** An RFC 6265 cookie name (a token). */
    static String cookieName(Setting setting, String value) {
        if (!COOKIE_NAME.matcher(value).matches()) {
            throw new InvalidSettingException(setting, value, "expected a cookie name: letters, digits and - . _ (an RFC 6265 token)");
        }
        return value;
    }

    static Secret secret(Setting setting, String value) {
        if (!value.isEmpty() && value.length() < 16) {
            throw new InvalidSettingException(setting, "(hidden)", "expected at least 16 characters (e.g. openssl rand -base64 32)");
        }
        return new Secret(value);
    }

    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*");

    /** An origin-form request target: {@code /healthz}. */
    static String path(Setting setting, String value) {
        if (!PATH.matcher(value).matches()) {
            throw new InvalidSettingException(setting, value, "expected a path starting with /, e.g. /healthz");
        }
        return value;
    }

    /** An existing folder, or empty for none. */
    static String folder(Setting setting, String value) {
        if (!value.isEmpty() && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(value))) {
            throw new InvalidSettingException(setting, value, "expected an existing folder");
        }
        return value;
    }

    /** An IP literal (v4 or v6), never a name: nothing is looked up at start-up. */
    static InetAddress ipAddress(Setting setting, String value) {
        String host = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
        boolean literal = IPV4.matcher(host).matches() || (host.contains(":") && IPV6.matcher(host).matches());
        if (literal) {
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                // reported below
            }
        }
        throw new InvalidSettingException(setting, value,
                "expected an IP address such as 127.0.0.1, 0.0.0.0, ::1 or ::");
    }

    /** Empty (off), or an origin-form request target as {@link #path} takes it. */
    static String optionalPath(Setting setting, String value) {
        if (value.isEmpty() || PATH.matcher(value).matches()) {
            return value;
        }
        throw new InvalidSettingException(setting, value, "expected empty (off) or a path starting with /, e.g. /health");
    }

    static Balancing balancing(Setting setting, String value) {
        for (Balancing b : Balancing.values()) {
            if (b.key().equals(value.toLowerCase(Locale.ROOT))) {
                return b;
            }
        }
        throw new InvalidSettingException(setting, value, "expected round-robin or least-requests");
    }

    static boolean isHostName(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }
}
