package hostproxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
 * A target of {@code -} keeps the backend the template builds and sets options for it. Every line
 * is an allowance: its label is reached whatever {@code allowedBackends} says, which decides only
 * for labels without a line. A UTF-8 byte order mark at the start, and CRLF line ends, read as
 * without.
 */
final class RoutesFile {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** Larger than this is not a routes file (a wrong path to a log or a device): nothing larger is read. */
    static final int MAX_BYTES = 1 << 20;

    /**
     * One line of the file.
     *
     * @param target      the explicit target, or {@code null} for the template's backend ({@code -})
     * @param optionsText the options as written, for the status page
     */
    record Line(int number, String label, BackendTarget target, RouteOptions options, String optionsText) {
    }

    private RoutesFile() {
    }

    /** The file's lines; none for no file ({@code path} empty). */
    static List<Line> read(String path) {
        return path.isEmpty() ? List.of() : parse(path, bytes(path));
    }

    /** The file's bytes, read through its path (symbolic links followed). */
    static byte[] bytes(String path) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException | RuntimeException e) {
            throw new InvalidSettingException(Setting.ROUTES_FILE, path, "cannot read it (" + e + ")");
        }
        if (bytes.length > MAX_BYTES) {
            throw new InvalidSettingException(Setting.ROUTES_FILE, path, "larger than " + (MAX_BYTES >> 20)
                    + " MiB: not a routes file");
        }
        return bytes;
    }

    static List<Line> parse(String path, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidSettingException(Setting.ROUTES_FILE, path, "cannot read it (" + e + ")");
        }
        return parse(path, text);
    }

    static List<Line> parse(String path, String text) {
        List<Line> parsed = new ArrayList<>();
        Set<String> labels = new HashSet<>();
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
            if (!labels.add(label)) {
                throw bad(path, n, "label '" + label + "' appears twice");
            }
            BackendTarget target = words[1].equals("-") ? null
                    : wrapped(path, n, "", () -> Values.target(Setting.ROUTES_FILE, path, words[1]));
            String[] options = Arrays.copyOfRange(words, 2, words.length);
            parsed.add(new Line(n, label, target, options(path, n, options), String.join(" ", options)));
        }
        return List.copyOf(parsed);
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
        return values.isEmpty() ? RouteOptions.NONE : new RouteOptions(values);
    }

    /** Names the line and the option's own complaint, not just the file. */
    private static <T> T wrapped(String path, int n, String what, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidSettingException e) {
            throw bad(path, n, what + e.expected());
        }
    }

    static InvalidSettingException bad(String path, int line, String what) {
        return new InvalidSettingException(Setting.ROUTES_FILE, path, "line " + line + ": " + what);
    }
}
