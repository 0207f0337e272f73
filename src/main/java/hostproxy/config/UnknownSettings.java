package hostproxy.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Names given where hostproxy reads its settings that are no setting: a mistyped one would
 * otherwise be ignored without a word ({@code HOSTPROXY_BACKEND_PROT=9000}, and backends are still
 * reached on 8080). Each gets one warning naming the setting closest to it. Never fatal: other
 * programs may share the prefix.
 *
 * <p>What is looked at: every {@code HOSTPROXY_*} environment variable and {@code hostproxy.*}
 * system property (either prefix in any case), and those context and init parameters that look
 * like ours. Context parameters are also the container's and frameworks' ({@code org.eclipse.jetty.*},
 * {@code resteasy.*}, {@code jakarta.*}, {@code org.apache.*}), and those names have dots: a parameter
 * looks like ours when its name has no dot, starts with {@code hostproxy}, or is within a typo of a
 * setting ({@code backend.port}).
 */
public final class UnknownSettings {
    private static final String ENV_PREFIX = "HOSTPROXY_";
    private static final String PROPERTY_PREFIX = "hostproxy.";

    private UnknownSettings() {
    }

    /**
     * What Kubernetes puts in every pod of a namespace with a Service named {@code hostproxy} (as
     * conf/kubernetes/hostproxy.yaml has): {@code HOSTPROXY_SERVICE_HOST}, {@code HOSTPROXY_PORT},
     * {@code HOSTPROXY_PORT_80_TCP_ADDR} and the like, Docker-link style. Not ours, never typos.
     */
    private static final Pattern KUBERNETES_SERVICE_LINK = Pattern.compile(
            "(?i)HOSTPROXY_(SERVICE_HOST|SERVICE_PORT(_\\w+)?|PORT(_\\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)?)");

    /**
     * One warning per name that is no setting.
     *
     * @param contextParameters      the application's context parameters (Tomcat {@code <Parameter>}s too)
     * @param initParameters         the init-params of the servlet named {@code hostproxy}
     * @param systemProperties       every system property's name
     * @param environment            every environment variable's name
     * @param environmentIgnoresCase whether environment names are matched without case (Windows)
     */
    public static List<String> warnings(Collection<String> contextParameters, Collection<String> initParameters,
            Collection<String> systemProperties, Collection<String> environment, boolean environmentIgnoresCase) {
        List<String> warnings = new ArrayList<>();
        for (String name : contextParameters) {
            parameter(name, "context parameter").ifPresent(warnings::add);
        }
        for (String name : initParameters) {
            parameter(name, "servlet init-param").ifPresent(warnings::add);
        }
        for (String name : systemProperties) {
            if (startsWithIgnoringCase(name, PROPERTY_PREFIX) && known(name, Setting::systemProperty, false) == null) {
                warnings.add(warning("system property", name, Setting::systemProperty));
            }
        }
        for (String name : environment) {
            if (startsWithIgnoringCase(name, ENV_PREFIX) && !KUBERNETES_SERVICE_LINK.matcher(name).matches()
                    && known(name, Setting::environmentVariable, environmentIgnoresCase) == null) {
                warnings.add(warning("environment variable", name, Setting::environmentVariable));
            }
        }
        return List.copyOf(warnings);
    }

    private static Optional<String> parameter(String name, String source) {
        if (known(name, Setting::key, false) != null) {
            return Optional.empty();
        }
        boolean looksLikeOurs = name.indexOf('.') < 0 || startsWithIgnoringCase(name, "hostproxy")
                || isClose(normalized(name), closest(name));
        return looksLikeOurs ? Optional.of(warning(source, name, Setting::key)) : Optional.empty();
    }

    private static Setting known(String name, Function<Setting, String> spelling, boolean ignoreCase) {
        for (Setting s : Setting.values()) {
            String spelled = spelling.apply(s);
            if (ignoreCase ? spelled.equalsIgnoreCase(name) : spelled.equals(name)) {
                return s;
            }
        }
        return null;
    }

    private static String warning(String source, String name, Function<Setting, String> spelling) {
        Setting closest = closest(name);
        String suggestion = isClose(normalized(name), closest) ? "did you mean " + spelling.apply(closest) + "?"
                : "the closest setting is " + spelling.apply(closest);
        return "hostproxy: " + source + " " + name + " is not a setting and is ignored; " + suggestion;
    }

    /** The setting whose name is nearest, as {@link #normalized} spells both. */
    static Setting closest(String name) {
        String n = normalized(name);
        Setting best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Setting s : Setting.values()) {
            int d = distance(n, normalized(s.key()));
            if (d < bestDistance) {
                best = s;
                bestDistance = d;
            }
        }
        return best;
    }

    /** A typo away: a few edits, more for longer names. */
    private static boolean isClose(String normalized, Setting setting) {
        String key = normalized(setting.key());
        return distance(normalized, key) <= Math.max(2, key.length() / 4);
    }

    /**
     * Lower case, without the prefix {@code hostproxy} and without {@code _ . -}: the same for
     * {@code HOSTPROXY_BACKEND_PORT}, {@code hostproxy.backendPort} and {@code backendPort}.
     */
    static String normalized(String name) {
        String n = name.toLowerCase(Locale.ROOT).replaceAll("[._-]", "");
        return n.startsWith("hostproxy") && n.length() > "hostproxy".length() ? n.substring("hostproxy".length()) : n;
    }

    /** Edits (insert, delete, replace, swap two neighbours) from {@code a} to {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static boolean startsWithIgnoringCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
