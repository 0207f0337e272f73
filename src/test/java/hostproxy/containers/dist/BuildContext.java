package hostproxy.containers.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The build context {@code docker build .} would send from a fresh clone: the files git tracks,
 * less what {@code .dockerignore} names. Its patterns are read as Docker reads them (Go's
 * {@code filepath.Match} per path, {@code **} across folders, a folder excluding what it holds);
 * {@code !} exceptions are not used by this project and refused.
 */
public final class BuildContext {
    private BuildContext() {
    }

    /** The context's files, relative to {@code root}. */
    public static List<String> files(Path root) throws IOException, InterruptedException {
        List<PathMatcher> ignored = new ArrayList<>();
        for (String raw : Files.readAllLines(root.resolve(".dockerignore"))) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("!")) {
                throw new IllegalArgumentException(".dockerignore: exceptions (!) are not read here: " + line);
            }
            String pattern = line.startsWith("/") ? line.substring(1) : line;
            ignored.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
            if (pattern.startsWith("**/")) { // Docker's ** also matches no folder at all
                ignored.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern.substring(3)));
            }
        }
        return tracked(root).stream().filter(f -> !excluded(Path.of(f), ignored)).toList();
    }

    /** Copies the context into {@code into} (emptied first), keeping the files' modes (mvnw stays executable). */
    public static Path copy(Path root, Path into) throws IOException, InterruptedException {
        Trees.delete(into);
        for (String f : files(root)) {
            Path target = into.resolve(f);
            Files.createDirectories(target.getParent());
            Files.copy(root.resolve(f), target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        }
        return into;
    }

    private static boolean excluded(Path file, List<PathMatcher> ignored) {
        for (Path p = file; p != null; p = p.getParent()) {
            for (PathMatcher m : ignored) {
                if (m.matches(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> tracked(Path root) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "-C", root.toString(), "ls-files", "-z").redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
            throw new IOException("git ls-files failed: " + out);
        }
        List<String> files = new ArrayList<>();
        for (String f : out.split("\0")) {
            if (!f.isEmpty() && Files.isRegularFile(root.resolve(f))) {
                files.add(f);
            }
        }
        return files;
    }
}
