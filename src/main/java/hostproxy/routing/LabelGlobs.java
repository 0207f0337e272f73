package hostproxy.routing;

import java.util.List;
import java.util.regex.Pattern;

/** The {@code allowedBackends} allow-list: globs where {@code *} is any run and {@code ?} one character. */
final class LabelGlobs {
    private final List<Pattern> patterns;

    LabelGlobs(List<String> globs) {
        this.patterns = globs.stream().map(LabelGlobs::compile).toList();
    }

    boolean matches(String label) {
        for (Pattern p : patterns) {
            if (p.matcher(label).matches()) {
                return true;
            }
        }
        return false;
    }

    private static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append("[a-z0-9-]*");
                case '?' -> regex.append("[a-z0-9-]");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
