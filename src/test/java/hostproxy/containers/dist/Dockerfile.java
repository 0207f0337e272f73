package hostproxy.containers.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read as its stages, for checking a recipe where no Docker engine runs: the global
 * {@code ARG}s, then per {@code FROM} the image, the stage's name and its instructions in order. Only the one-line form is read: a line that
 * continues on the next (ending with the escape character) is refused, so that what a test checks
 * is what the file says.
 */
public record Dockerfile(Map<String, String> globalArgs, List<Stage> stages) {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /** One instruction: its keyword in upper case, and the rest of the line. */
    public record Instruction(String keyword, String arguments) {
        public List<String> words() {
            return List.of(arguments.split("\\s+"));
        }
    }

    /** One stage: {@code FROM image [AS name]} (the image as written, {@code ${ARG}}s unfilled) and what follows it. */
    public record Stage(String from, String name, List<Instruction> instructions) {
        public List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        /** {@code ENV NAME=value} lines, in order. */
        public Map<String, String> env() {
            return pairs("ENV");
        }

        /** {@code ARG NAME=default} lines, in order (an ARG without a default maps to ""). */
        public Map<String, String> args() {
            return pairs("ARG");
        }

        private Map<String, String> pairs(String keyword) {
            Map<String, String> pairs = new LinkedHashMap<>();
            for (Instruction i : all(keyword)) {
                for (String word : i.words()) {
                    int eq = word.indexOf('=');
                    pairs.put(eq < 0 ? word : word.substring(0, eq), eq < 0 ? "" : word.substring(eq + 1));
                }
            }
            return pairs;
        }

        /** {@code COPY [--from=stage] source destination} lines. */
        public List<Copy> copies() {
            List<Copy> copies = new ArrayList<>();
            for (Instruction i : all("COPY")) {
                List<String> w = i.words();
                String from = w.get(0).startsWith("--from=") ? w.get(0).substring("--from=".length()) : null;
                List<String> paths = from == null ? w : w.subList(1, w.size());
                if (paths.size() != 2) {
                    throw new IllegalArgumentException("COPY lines must be 'COPY [--from=stage] src dest': COPY " + i.arguments());
                }
                copies.add(new Copy(from, paths.get(0), paths.get(1)));
            }
            return copies;
        }

        /** The stage's one {@code HEALTHCHECK [options] CMD command}: its options, and its command. */
        public String[] healthCheck() {
            List<Instruction> h = all("HEALTHCHECK");
            if (h.size() != 1) {
                throw new IllegalArgumentException("one HEALTHCHECK expected, found " + h.size());
            }
            String line = h.get(0).arguments();
            int cmd = line.indexOf(" CMD ");
            return new String[] {line.substring(0, cmd), line.substring(cmd + 5)};
        }

        public String workdir() {
            List<Instruction> w = all("WORKDIR");
            return w.isEmpty() ? "/" : w.get(w.size() - 1).arguments();
        }
    }

    /** A COPY: from the build context ({@code fromStage} null) or from an earlier stage. */
    public record Copy(String fromStage, String source, String destination) {
    }

    public static Dockerfile read(Path file) throws IOException {
        char escape = '\\';
        Map<String, String> globalArgs = new LinkedHashMap<>();
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        boolean directives = true;
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (directives && line.toLowerCase(Locale.ROOT).startsWith("# escape=")) {
                escape = line.charAt(line.length() - 1);
                continue;
            }
            if (line.isEmpty() || line.startsWith("#")) {
                directives &= line.startsWith("#");
                continue;
            }
            directives = false;
            if (line.charAt(line.length() - 1) == escape) {
                throw new IllegalArgumentException(file + ": a line continued on the next is not read here: " + line);
            }
            int space = line.indexOf(' ');
            String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String arguments = space < 0 ? "" : line.substring(space + 1).strip();
            if (keyword.equals("FROM")) {
                String[] w = arguments.split("\\s+");
                String name = w.length == 3 && w[1].equalsIgnoreCase("AS") ? w[2] : null;
                current = new ArrayList<>();
                stages.add(new Stage(w[0], name, current));
            } else if (current == null) {
                if (!keyword.equals("ARG")) {
                    throw new IllegalArgumentException(file + ": only ARG may come before the first FROM: " + line);
                }
                int eq = arguments.indexOf('=');
                globalArgs.put(eq < 0 ? arguments : arguments.substring(0, eq), eq < 0 ? "" : arguments.substring(eq + 1));
            } else {
                current.add(new Instruction(keyword, arguments));
            }
        }
        return new Dockerfile(globalArgs, stages);
    }

    /** An image name with {@code ${ARG}}s replaced by the given values. */
    public static String fill(String text, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("no ARG " + m.group(1) + " for " + text);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    /** The stage's image with the global ARGs at their defaults, or as given instead. */
    public String image(Stage stage, Map<String, String> buildArgs) {
        Map<String, String> values = new LinkedHashMap<>(globalArgs);
        values.putAll(buildArgs);
        return fill(stage.from(), values);
    }

    public Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stage named " + name));
    }

    /** The last stage: what the image is. */
    public Stage runtime() {
        return stages.get(stages.size() - 1);
    }
}
