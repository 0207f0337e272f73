package hostproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation's cross-references lead somewhere: every relative Markdown link in the README,
 * {@code docs/} and {@code bench/README.md} names an existing file and, when it has an anchor, a
 * heading of that file; and every pointer written in prose, a file name followed by a quoted
 * heading (the README or a file under docs/, then a comma, an optional word "section" and the
 * heading in double quotes), names an existing file and one of its headings. Pointers are looked
 * for in the README, {@code docs/}, {@code conf/}, the code, the tests and {@code pom.xml}.
 */
class DocLinksTest {
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();

    /** An inline link or image target: {@code ](target)} or {@code ](target "title")}. */
    private static final Pattern LINK = Pattern.compile("\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** A URL with a scheme ({@code https:}, {@code mailto:}): not a file of this repository. */
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}[ \\t]+(.*?)(?:[ \\t]+#+)?[ \\t]*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    /** An inline code span, within one paragraph. */
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)((?:(?!\\n[ \\t]*\\n).)+?)\\1", Pattern.DOTALL);

    /** The file a pointer names: the README, or a Markdown file by its path. */
    private static final String FILE = "(?<![\\w/.-])(?<file>README(?:\\.md)?|(?:[\\w.-]+/)*[\\w-]+\\.md)";
    /** {@code FILE, "Heading"}, {@code FILE, section "Heading"} or {@code FILE, section Heading}. */
    private static final Pattern POINTER = Pattern.compile(FILE + "(?:'s)?,\\s+(?:section\\s+)?"
            + "(?:\"(?<quoted>[^\"]+)\"|\u201c(?<curly>[^\u201d]+)\u201d|'(?<single>[^'\n]+)')"
            + "|" + FILE.replace("<file>", "<file2>") + "(?:'s)?,\\s+section\\s+(?<bare>[A-Z][\\w /&-]*?)(?=[.,;:)\\]]|\\s*$)",
            Pattern.MULTILINE);
    /** What looks like a pointer ({@code README, Containers}): it must then be one that {@link #POINTER} reads. */
    private static final Pattern POINTER_LIKE = Pattern.compile(FILE + "(?:'s)?,\\s+(?:section\\s+)?[A-Z\"\u201c']");

    private final Map<Path, Set<String>> anchors = new HashMap<>();

    @Test
    void everyRelativeLinkNamesAnExistingFileAndHeading() throws IOException {
        List<Path> documents = new ArrayList<>(markdownFiles());
        documents.add(ROOT.resolve("bench/README.md"));
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path doc : documents) {
            String text = withoutCode(Files.readString(doc));
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (SCHEME.matcher(target).find()) {
                    continue;
                }
                links++;
                String problem = problemWithLink(doc, target);
                if (problem != null) {
                    broken.add(where(doc, text, m.start()) + ": (" + target + ") " + problem);
                }
            }
        }
        assertEquals(List.of(), broken, "relative links that lead nowhere");
        assertTrue(links > 50, "found only " + links + " relative links: is the pattern still right?");
    }

    @Test
    void everyPointerInProseNamesAnExistingFileAndHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        int pointers = 0;
        for (Path file : filesWithPointers()) {
            String text;
            try {
                text = Files.readString(file);
            } catch (CharacterCodingException binary) {
                continue;
            }
            if (file.toString().endsWith(".md")) {
                text = withoutCode(text);
            }
            Set<Integer> read = new LinkedHashSet<>();
            Matcher m = POINTER.matcher(text);
            while (m.find()) {
                pointers++;
                read.add(m.start());
                String name = m.group("file") != null ? m.group("file") : m.group("file2");
                String heading = firstNonNull(m.group("quoted"), m.group("curly"), m.group("single"), m.group("bare"));
                String problem = problemWithPointer(file, name, heading.replaceAll("\\s+", " ").strip());
                if (problem != null) {
                    broken.add(where(file, text, m.start()) + ": " + m.group().replaceAll("\\s+", " ") + ": " + problem);
                }
            }
            Matcher like = POINTER_LIKE.matcher(text);
            while (like.find()) {
                if (!read.contains(like.start())) {
                    broken.add(where(file, text, like.start()) + ": " + like.group()
                            + "...: write a pointer as FILE, \"Heading\" (e.g. docs/configuration.md, \"Settings\")");
                }
            }
        }
        assertEquals(List.of(), broken, "pointers to a file and section that do not resolve");
        assertTrue(pointers > 10, "found only " + pointers + " pointers: is the pattern still right?");
    }

    @Test
    void anchorsFollowGitHubsRule() {
        assertEquals("tomcat-101--11-a-stock-distribution", anchor("Tomcat 10.1 / 11 (a stock distribution)"));
        assertEquals("conf-what-is-there", anchor("`conf/`: what is there"));
        assertEquals("front-door-clients-limits-sessions-redirects", anchor("Front door: clients, limits, sessions, redirects"));
        assertEquals("issue-9-before-sse-streams-and-1-gib-bodies-with-the-blocking-relay",
                anchor("Issue 9 \"before\": SSE streams and 1 GiB bodies with the blocking relay"));
        assertEquals("http2", anchor("HTTP/2"));
        assertEquals("see-the-docs", anchor("See [the docs](docs/x.md)"));
    }

    private String problemWithLink(Path doc, String target) {
        int hash = target.indexOf('#');
        String path = URLDecoder.decode(hash < 0 ? target : target.substring(0, hash), StandardCharsets.UTF_8);
        String fragment = hash < 0 ? null : target.substring(hash + 1);
        Path file = path.isEmpty() ? doc : doc.getParent().resolve(path).normalize();
        if (!file.startsWith(ROOT)) {
            return "leads out of the repository";
        }
        if (!Files.exists(file)) {
            return "no such file: " + ROOT.relativize(file);
        }
        if (fragment == null || fragment.isEmpty()) {
            return null;
        }
        if (!file.toString().endsWith(".md")) {
            return "an anchor into a file that is not Markdown";
        }
        return anchorsOf(file).contains(fragment) ? null : "no heading with the anchor #" + fragment + " in " + ROOT.relativize(file);
    }

    private String problemWithPointer(Path from, String name, String heading) {
        Path file = name.startsWith("README") ? ROOT.resolve("README.md") : resolve(from, name);
        if (file == null) {
            return "no such file: " + name;
        }
        return anchorsOf(file).contains(anchor(heading)) ? null : "no heading \"" + heading + "\" in " + ROOT.relativize(file);
    }

    /** Beside the file that names it ({@code performance.md} in docs/), else from the project's root. */
    private static Path resolve(Path from, String name) {
        for (Path candidate : List.of(from.getParent().resolve(name).normalize(), ROOT.resolve(name).normalize())) {
            if (candidate.startsWith(ROOT) && Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private Set<String> anchorsOf(Path markdown) {
        return anchors.computeIfAbsent(markdown, file -> {
            Set<String> found = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            boolean fenced = false;
            try {
                for (String line : Files.readAllLines(file)) {
                    if (FENCE.matcher(line).find()) {
                        fenced = !fenced;
                        continue;
                    }
                    Matcher h = HEADING.matcher(line);
                    if (!fenced && h.matches()) {
                        String slug = anchor(h.group(1));
                        int n = seen.merge(slug, 1, Integer::sum) - 1;
                        found.add(n == 0 ? slug : slug + "-" + n);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return found;
        });
    }

    /**
     * GitHub's anchor for a heading: its text as rendered (links and code without their markup),
     * lower case, every character other than letters, digits, spaces, {@code -} and {@code _}
     * dropped, each space a {@code -}.
     */
    static String anchor(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}_\\- ]", "").replace(' ', '-');
    }

    /** The text with fenced blocks and code spans blanked out (newlines kept, for line numbers). */
    private static String withoutCode(String markdown) {
        StringBuilder out = new StringBuilder();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            boolean fence = FENCE.matcher(line).find();
            if (fence) {
                fenced = !fenced;
            }
            out.append(fence || fenced ? "" : line).append('\n');
        }
        Matcher m = CODE_SPAN.matcher(out);
        StringBuilder text = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(text, "code" + "\n".repeat((int) m.group().chars().filter(c -> c == '\n').count()));
        }
        m.appendTail(text);
        return text.toString();
    }

    private static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    private static List<Path> filesWithPointers() throws IOException {
        List<Path> files = new ArrayList<>(markdownFiles());
        files.add(ROOT.resolve("pom.xml"));
        for (String dir : List.of("conf", "src/main/java", "src/test/java")) {
            try (Stream<Path> tree = Files.walk(ROOT.resolve(dir))) {
                tree.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().equals("DocLinksTest.java"))
                        .sorted().forEach(files::add);
            }
        }
        return files;
    }

    private static String where(Path file, String text, int offset) {
        int line = 1 + (int) text.substring(0, offset).chars().filter(c -> c == '\n').count();
        return ROOT.relativize(file) + ":" + line;
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        throw new IllegalArgumentException("all null");
    }
}
