package hostproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import hostproxy.it.support.Await;
import hostproxy.it.support.ProxyServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routes file read again, on real files: each test runs the watcher's checks itself, one by
 * one, so that what two reads in a row see is decided by the test, not by timing.
 */
class RoutesWatcherTest {
    private static final String FIRST = "api  http://api-v1:9000\nweb  -  sticky=cookie\n";
    private static final String SECOND = "api  http://api-v2:9000/base\nreports  -  responseTimeout=5m\n";

    @TempDir
    Path dir;
    private Path file;
    private ProxyConfig config;
    private LiveRoutes live;
    private final List<RouteTable> taken = new ArrayList<>();
    private RoutesWatcher watcher;
    private ProxyServer.LogCapture log;

    @BeforeEach
    void start() throws Exception {
        file = Files.writeString(dir.resolve("routes"), FIRST);
        config = config(file, "2s");
        live = new LiveRoutes(config.initialRoutes(), Instant.now());
        watcher = new RoutesWatcher(config, live, taken::add);
        log = ProxyServer.LogCapture.install();
    }

    @AfterEach
    void stop() {
        log.close();
        watcher.close();
    }

    /** What the watcher logged at WARNING. */
    private List<String> warnings() {
        return log.texts(RoutesWatcher.class.getName(), Level.WARNING);
    }

    private static ProxyConfig config(Path file, String check) {
        return ProxyConfig.from(s -> switch (s) {
            case ROUTES_FILE -> file.toString();
            case ROUTES_FILE_CHECK -> check;
            case ROUTES -> "fixed=http://fixed:80";
            default -> null;
        });
    }

    /** The table a file with this text gives at start. */
    private RouteTable tableOf(String text) throws Exception {
        Path other = Files.writeString(dir.resolve("other-" + System.nanoTime()), text);
        return config(other, "off").initialRoutes();
    }

    /** The message a file with this text stops the deployment with, naming {@link #file}. */
    private String startProblem(String text) throws Exception {
        Files.writeString(file, text);
        return assertThrows(InvalidSettingException.class, () -> config(file, "off")).getMessage();
    }

    private void twoChecks() {
        watcher.check();
        watcher.check();
    }

    @Test
    void aChangedFileIsTakenAtTheSecondReadThatAgreesWithTheFirst() throws Exception {
        assertEquals(Duration.ofMillis(500), watcher.check(), "a first read: the second comes soon");
        assertEquals(Duration.ofSeconds(2), watcher.check(), "it agrees, and routes as at start: nothing to do");
        assertEquals(List.of(), taken);
        Files.writeString(file, SECOND);
        assertEquals(Duration.ofMillis(500), watcher.check());
        assertEquals(tableOf(FIRST), live.table(), "seen once: not taken yet");
        assertEquals(Duration.ofSeconds(2), watcher.check());
        assertEquals(tableOf(SECOND), live.table());
        assertEquals(List.of(tableOf(SECOND)), taken);
        assertEquals(1, live.reloads());
        assertEquals(0, live.failedReloads());
        assertTrue(live.lastReloadSuccessful());
        assertEquals(tableOf(SECOND), taken.get(0));
        assertNotNull(live.table().target("fixed"), "the routes setting stays");
    }

    @Test
    void aFileCaughtHalfWrittenIsNeverTaken() throws Exception {
        String whole = "api  http://api-v2:9000/base-of-the-api\nshop  http://shop:8080\n";
        String half = whole.substring(0, whole.indexOf("/base") + 3); // "api http://api-v2:9000/ba": valid, and wrong
        twoChecks();
        Files.writeString(file, half);
        watcher.check();
        Files.writeString(file, whole); // the writer goes on before the next read
        watcher.check();
        assertEquals(tableOf(FIRST), live.table(), "two reads that disagree: neither is taken");
        watcher.check();
        assertEquals(List.of(tableOf(whole)), taken, "only the whole file was ever taken");
        assertEquals("/base-of-the-api", live.table().target("api").basePath());
    }

    @Test
    void aFileRenamedOverItAWriteInPlaceAndAConfigMapsLinkSwapAllCount() throws Exception {
        // Kubernetes mounts a ConfigMap as routes -> ..data/routes, ..data -> ..<timestamp>/
        Path mount = Files.createDirectory(dir.resolve("mount"));
        Path v1 = Files.createDirectory(mount.resolve("..2026_01_01_00_00_00.1"));
        Files.writeString(v1.resolve("routes"), FIRST);
        Files.createSymbolicLink(mount.resolve("..data"), v1.getFileName());
        Path linked = Files.createSymbolicLink(mount.resolve("routes"), Path.of("..data", "routes"));
        ProxyConfig k8s = config(linked, "200ms");
        LiveRoutes k8sLive = new LiveRoutes(k8s.initialRoutes(), Instant.now());
        try (RoutesWatcher k8sWatcher = new RoutesWatcher(k8s, k8sLive, t -> { })) {
            Path v2 = Files.createDirectory(mount.resolve("..2026_01_01_00_01_00.2"));
            Files.writeString(v2.resolve("routes"), SECOND);
            Path tmp = Files.createSymbolicLink(mount.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmp, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            k8sWatcher.check();
            k8sWatcher.check();
            assertEquals(tableOf(SECOND), k8sLive.table(), "the link swapped");
        }

        Path next = Files.writeString(dir.resolve("routes.new"), SECOND);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        twoChecks();
        assertEquals(tableOf(SECOND), live.table(), "renamed over it");

        Files.writeString(file, FIRST); // truncated and written through the same inode
        twoChecks();
        assertEquals(tableOf(FIRST), live.table(), "written in place");
        assertEquals(2, live.reloads());
    }

    @Test
    void aChangeOfCommentsOrLayoutAloneIsNoReload() throws Exception {
        Files.writeString(file, "# the same routes, laid out anew\napi http://api-v1:9000   # v1\n\nweb - sticky=cookie\n");
        twoChecks();
        assertEquals(List.of(), taken);
        assertEquals(0, live.reloads());
    }

    @Test
    void aByteOrderMarkAndCrlfLineEndsReadAsWithout() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = SECOND.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, withBom, 0, bom.length);
        System.arraycopy(text, 0, withBom, bom.length, text.length);
        Files.write(file, withBom);
        assertEquals(tableOf(SECOND), config(file, "off").initialRoutes(), "at start");
        twoChecks();
        assertEquals(tableOf(SECOND), live.table(), "while running");
        assertEquals(List.of(), warnings());
    }

    @Test
    void anInvalidFileKeepsTheLastGoodRoutesWithOneWarningInTheWordsOfAStartUntilMended() throws Exception {
        String bad = "api  http://api-v2:9000\nshop  http://shop:8080  maxBodySize=10 MB\n";
        String problem = startProblem(bad);
        assertEquals("hostproxy: invalid setting routesFile='" + file + "': line 2: 'MB' is not option=value with a "
                + "known option (connectTimeout, responseTimeout, maxBodySize, allowedClients, sticky, preserveHost, "
                + "rewriteRedirects, healthCheckPath)", problem);
        for (int i = 0; i < 10; i++) {
            watcher.check();
        }
        Files.writeString(file, bad + "# still being mended\n"); // read anew, the same problem
        twoChecks();
        assertEquals(tableOf(FIRST), live.table());
        assertEquals(List.of(), taken);
        assertEquals(problem, live.problem());
        assertEquals(1, warnings().size(), "once, not at every check");
        assertTrue(warnings().get(0).startsWith(problem + "; the routes loaded at "), warnings().get(0));
        assertEquals(1, live.failedReloads());
        assertTrue(!live.lastReloadSuccessful());

        Files.writeString(file, bad.replace("10 MB", "10MB"));
        twoChecks();
        assertNull(live.problem(), "mended");
        assertTrue(live.lastReloadSuccessful());
        assertEquals(1, live.reloads());
        assertEquals(10L << 20, (long) live.table().optionsFor("shop").get(RouteOption.MAX_BODY_SIZE, -1L));
        assertEquals(1, warnings().size());
    }

    @Test
    void anEmptyDeletedOrConflictingFileKeepsTheRoutesAndEachProblemIsReportedOnce() throws Exception {
        String conflict = startProblem("web -\nfixed  http://other:80\n");
        assertTrue(conflict.endsWith("line 2: label 'fixed' is also routed by the routes setting"), conflict);
        String[] expected = {
            "hostproxy: invalid setting routesFile='" + file + "': empty (0 bytes), as a file being written in place "
                    + "is; a file with only a comment in it removes every route",
            "hostproxy: invalid setting routesFile='" + file + "': cannot read it (java.nio.file.NoSuchFileException: "
                    + file + ")",
            conflict};
        Files.writeString(file, "");
        twoChecks();
        Files.delete(file);
        twoChecks();
        assertEquals(expected[1], assertThrows(InvalidSettingException.class, () -> config(file, "off")).getMessage(),
                "a deleted file is named as at start");
        Files.writeString(file, "web -\nfixed  http://other:80\n");
        twoChecks();
        twoChecks();
        assertEquals(List.of(expected[0], expected[1], expected[2]),
                warnings().stream().map(m -> m.substring(0, m.indexOf("; the routes loaded at"))).toList());
        assertEquals(tableOf(FIRST), live.table());
        assertEquals(3, live.failedReloads());
        assertEquals(expected[2], live.problem());

        Files.writeString(file, FIRST); // back to what is in force
        twoChecks();
        assertNull(live.problem());
        assertEquals(0, live.reloads(), "the routes in force did not change");
    }

    /** An empty file at start (a placeholder, `touch routes`) is no routes, and stays no problem while it stays so. */
    @Test
    void aFileEmptyAtStartIsNoProblemLater() throws Exception {
        Files.write(file, new byte[0]);
        ProxyConfig empty = config(file, "2s");
        LiveRoutes emptyLive = new LiveRoutes(empty.initialRoutes(), Instant.now());
        try (RoutesWatcher w = new RoutesWatcher(empty, emptyLive, taken::add)) {
            w.check();
            w.check();
            w.check();
            assertNull(emptyLive.problem());
            assertTrue(emptyLive.lastReloadSuccessful());
            assertEquals(List.of(), taken);
            assertEquals(List.of(), warnings());
        }
    }

    @Test
    void aFileOfCommentsAloneRemovesEveryRouteOfTheFile() throws Exception {
        Files.writeString(file, "# no route for now\n");
        twoChecks();
        assertEquals(tableOf(""), live.table());
        assertEquals(Set.of("fixed"), live.table().targets().keySet());
        assertEquals(Map.of(), live.table().lines());
    }

    @Test
    void nothingIsWatchedWithoutAFileOrWithTheCheckOff() throws Exception {
        assertNull(RoutesWatcher.watch(config(file, "off"), live, t -> { }));
        assertNull(RoutesWatcher.watch(ProxyConfig.defaults(), live, t -> { }));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> config(file, "0s"));
        assertEquals("hostproxy: invalid setting routesFileCheck='0s': expected off, or a duration such as 500ms, 2s or 1m",
                e.getMessage());
    }

    @Test
    void aWatcherChecksOnItsOwnThreadAndJoinsItOnClose() throws Exception {
        List<RouteTable> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RoutesWatcher running = RoutesWatcher.watch(config(file, "200ms"), live, seen::add)) {
            Files.writeString(file, SECOND);
            Await.until(() -> !seen.isEmpty(), Duration.ofSeconds(10), "the change taken by the watcher's own thread");
            assertEquals(List.of(tableOf(SECOND)), seen);
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("hostproxy-routes-file")), "its thread has ended");
    }
}
