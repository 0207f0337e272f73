package hostproxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The routes file ({@code routesFile}): one route per line, as a table that stays readable at 50
 * routes; {@code #} starts a comment.
 *
 * <pre>
 * # label   target                    options (name=value, lists comma-separated)
 * www       http://frontend:3000
 * api       http://api-v2:9000/base   sticky=cookie maxBodySize=10MB allowedClients=10.0.0.0/8,192.168.0.0/16
 * reports   -                         responseTimeout=5m
 * </pre>
 *
 * A target of {@code -} keeps the backend the template builds (the label must still match
 * {@code allowedBackends}) and only sets options for it.
 */
final class RoutesFile {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /** What the file says: explicit targets, and options per label. */
    record Content(Map<String, BackendTarget> targets, Map<String, RouteOptions> options) {
    }

    private RoutesFile() {
    }

    static Content read(String path) {
        if (path.isEmpty()) {
            return new Content(Map.of(), Map.of());
        }
        String text;
        try {
            text = Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new InvalidSettingException(Setting.ROUTES_FILE, path, "cannot read it (" + e + ")");
        }
        return parse(path, text);
    }

    static Content parse(String path, String text) {
        Map<String, BackendTarget> targets = new LinkedHashMap<>();
        Map<String, RouteOptions> options = new LinkedHashMap<>();
        // Notepad and PowerShell 5.1 start a UTF-8 file with a byte-order mark, and write CRLF
        String[] lines = withoutByteOrderMark(text).split("\r?\n", -1);
        for (int n = 1; n <= lines.length; n++) {
            String line = lines[n - 1];
            int hash = line.indexOf('#');
            String[] words = (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+");
            if (words[0].isEmpty()) {
                continue;
            }
            String label = words[0].toLowerCase(Locale.ROOT);
            if (!LABEL.matcher(label).matches()) {
                throw bad(path, n, "'" + words[0] + "' is not a valid label");
            }
            if (words.length < 2) {
                throw bad(path, n, "expected: label target [option=value ...], with '-' as the target to keep the template's backend");
            }
            if (options.containsKey(label)) {
                throw bad(path, n, "label '" + label + "' appears twice");
            }
            if (!words[1].equals("-")) {
                targets.put(label, wrapped(path, n, "", () -> Values.target(Setting.ROUTES_FILE, path, words[1])));
            }
            options.put(label, options(path, n, Arrays.copyOfRange(words, 2, words.length)));
        }
        options.values().removeIf(RouteOptions::isEmpty);
        return new Content(Map.copyOf(targets), Map.copyOf(options));
    }

    private static String withoutByteOrderMark(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static RouteOptions options(String path, int n, String[] words) {
        EnumMap<RouteOption, Object> values = new EnumMap<>(RouteOption.class);
        for (String word : words) {
            int eq = word.indexOf('=');
            RouteOption option = eq < 0 ? null : RouteOption.byKey(word.substring(0, eq));
            if (option == null) {
                throw bad(path, n, "'" + word + "' is not option=value with a known option ("
                        + String.join(", ", Arrays.stream(RouteOption.values()).map(RouteOption::key).toList()) + ")");
            }
            String value = word.substring(eq + 1);
            Object parsed = wrapped(path, n, option.key() + "='" + value + "': ", () -> option.parse(Setting.ROUTES_FILE, value));
            if (values.put(option, parsed) != null) {
                throw bad(path, n, option.key() + " is given twice");
            }
        }
        return new RouteOptions(values);
    }

    /** Names the line and the option's own complaint, not just the file. */
    private static <T> T wrapped(String path, int n, String what, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidSettingException e) {
            throw bad(path, n, what + e.expected());
        }
    }

    private static InvalidSettingException bad(String path, int line, String what) {
        return new InvalidSettingException(Setting.ROUTES_FILE, path, "line " + line + ": " + what);
    }
}
