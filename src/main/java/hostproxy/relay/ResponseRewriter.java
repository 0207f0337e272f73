package hostproxy.relay;

import hostproxy.config.BackendTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites what a backend says about its own URLs into the public ones ({@code rewriteRedirects}),
 * for routes with a base path or {@code preserveHost=false}: {@code Location},
 * {@code Content-Location} and the URL of {@code Refresh}, and the {@code Path} and {@code Domain}
 * of {@code Set-Cookie}.
 *
 * <ul>
 *   <li>{@code http://app:8080/base/home} (the backend's own authority) becomes
 *       {@code https://app.example.com/home} (the client's scheme and host, the base path taken off);</li>
 *   <li>{@code /base/home}, or an absolute URL on the public host with the base path, loses the base path;</li>
 *   <li>cookie {@code Path=/base/x} becomes {@code Path=/x}, {@code Domain=app} becomes the public host.</li>
 * </ul>
 * Anything else (other hosts, paths outside the base path) is left untouched. Pure.
 */
public final class ResponseRewriter {
    private static final Pattern ABSOLUTE = Pattern.compile("(?i)(https?:)?//([^/?#]*)(.*)");
    private static final Pattern REFRESH_URL = Pattern.compile("(?i)(.*?;\\s*url\\s*=\\s*)(['\"]?)(.*?)\\2\\s*");

    private final BackendTarget target;
    private final String publicScheme;
    private final String publicHost;

    /**
     * @param target       the route's backend: its authority and base path
     * @param publicScheme {@code http} or {@code https}, as the client reached the proxy
     * @param publicHost   the authority the client asked for ({@code app.example.com:8443})
     */
    public ResponseRewriter(BackendTarget target, String publicScheme, String publicHost) {
        this.target = target;
        this.publicScheme = publicScheme;
        this.publicHost = publicHost;
    }

    public List<HeaderField> rewrite(List<HeaderField> fields) {
        List<HeaderField> out = new ArrayList<>(fields.size());
        for (HeaderField h : fields) {
            String value = switch (h.name().toLowerCase(Locale.ROOT)) {
                case "location", "content-location" -> url(h.value());
                case "refresh" -> refresh(h.value());
                case "set-cookie" -> cookie(h.value());
                default -> h.value();
            };
            out.add(value.equals(h.value()) ? h : new HeaderField(h.name(), value));
        }
        return out;
    }

    /** A URL reference, absolute or absolute-path. */
    String url(String url) {
        if (url.startsWith("/") && !url.startsWith("//")) {
            return withoutBase(url);
        }
        Matcher m = ABSOLUTE.matcher(url);
        if (!m.matches()) {
            return url; // relative to the current path: the base path stays out of it
        }
        String scheme = m.group(1) == null ? null : m.group(1).substring(0, m.group(1).length() - 1).toLowerCase(Locale.ROOT);
        String authority = m.group(2);
        String rest = m.group(3);
        String path = rest.isEmpty() ? "/" : rest;
        if (isBackend(scheme, authority)) {
            return publicScheme + "://" + publicHost + withoutBase(path);
        }
        if (authority.equalsIgnoreCase(publicHost)) {
            String stripped = withoutBase(path);
            return stripped.equals(path) ? url : url.substring(0, url.length() - rest.length()) + stripped;
        }
        return url;
    }

    /** {@code 5; url=http://app:8080/base/x}. */
    String refresh(String value) {
        Matcher m = REFRESH_URL.matcher(value);
        if (!m.matches()) {
            return value;
        }
        String rewritten = url(m.group(3));
        return rewritten.equals(m.group(3)) ? value : m.group(1) + m.group(2) + rewritten + m.group(2);
    }

    /** {@code Path} under the base path loses it; {@code Domain} naming the backend names the public host. */
    String cookie(String value) {
        String[] parts = value.split(";", -1);
        boolean changed = false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String v = p.substring(eq + 1).trim();
            String rewritten = switch (name) {
                case "path" -> v.startsWith("/") ? withoutBase(v) : v;
                case "domain" -> (v.startsWith(".") ? v.substring(1) : v).equalsIgnoreCase(target.host())
                        ? hostOnly(publicHost) : v;
                default -> v;
            };
            if (!rewritten.equals(v)) {
                String leading = p.substring(0, p.length() - p.stripLeading().length());
                parts[i] = leading + p.substring(0, eq).trim() + "=" + rewritten;
                changed = true;
            }
        }
        return changed ? String.join(";", parts) : value;
    }

    private boolean isBackend(String scheme, String authority) {
        String host = hostOnly(authority);
        if (!host.equalsIgnoreCase(target.host())) {
            return false;
        }
        String s = scheme == null ? target.scheme() : scheme;
        int colon = authority.lastIndexOf(':');
        int port;
        if (colon > authority.lastIndexOf(']') && colon >= 0) {
            String p = authority.substring(colon + 1);
            if (!p.matches("\\d{1,5}")) {
                return false;
            }
            port = Integer.parseInt(p);
        } else {
            port = s.equals("https") ? 443 : 80;
        }
        return port == target.port();
    }

    private String withoutBase(String path) {
        String base = target.basePath();
        if (base.isEmpty() || !path.startsWith(base)) {
            return path;
        }
        if (path.length() == base.length()) {
            return "/";
        }
        char next = path.charAt(base.length());
        if (next == '/') {
            return path.substring(base.length());
        }
        if (next == '?' || next == '#') {
            return "/" + path.substring(base.length());
        }
        return path; // /basement is not under /base
    }

    /** {@code app.example.com:8443} → {@code app.example.com}; {@code [fd00::1]:80} → {@code fd00::1}. */
    private static String hostOnly(String authority) {
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            return close < 0 ? authority : authority.substring(1, close);
        }
        int colon = authority.indexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }
}
