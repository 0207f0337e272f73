package hostproxy.containers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hostproxy.it.support.Await;
import hostproxy.it.support.Backends;
import hostproxy.it.support.RawClient;
import hostproxy.it.support.RawResponse;
import hostproxy.it.support.Reply;
import hostproxy.it.support.TestBackend;
import hostproxy.it.support.WebSocketEcho;
import hostproxy.it.support.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19 on every container: the suite's routes file ({@link SuiteRoutes}) changes while the
 * proxy runs, and nothing under way notices. (Each kind of bad file, options, health checks and
 * threads: {@code hostproxy.it.RoutesReloadIT}.)
 */
class RoutesCT extends ContainerScenario {
    /** The suite's {@code routesFileCheck}. */
    static final String CHECK = "200ms";
    /** A change is in force within {@code routesFileCheck} and a second. */
    private static final Duration IN_FORCE = Duration.ofMillis(200 + 1_000);
    private static final String OK = "hostproxy_routes_reloads_total{result=\"ok\"}";
    private static final String FAILED = "hostproxy_routes_reloads_total{result=\"failed\"}";
    private static final String SUCCESSFUL = "hostproxy_routes_last_reload_successful";
    private static final int PORT = Backends.PORT;
    private static WebSocketEcho echo;

    @BeforeAll
    static void startEcho() throws Exception {
        echo = WebSocketEcho.start("127.0.0.16", PORT);
    }

    @AfterAll
    static void stopEcho() throws Exception {
        echo.close();
    }

    /** FrontDoorCT's routes back, and in force, for the next test and the next class's deployment. */
    @AfterEach
    void restore() throws Exception {
        SuiteRoutes.restore();
        Await.until(() -> get("live").status() == 404, Duration.ofSeconds(10), "the suite's routes are back");
    }

    private static String with(String... lines) {
        return SuiteRoutes.BASE + String.join("\n", lines) + "\n";
    }

    private static RawResponse get(String host) {
        return get(host, "/");
    }

    private static RawResponse get(String host, String target) {
        try {
            return RawClient.exchange(ContainerSuite.port(), "GET " + target + " HTTP/1.1\nHost: " + host + "\nConnection: close");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void inForce(String label, String backend) throws InterruptedException {
        Await.until(() -> backend.equals(get(label).header("X-Backend")), IN_FORCE, label + " goes to " + backend);
    }

    /** A series of the admin port's {@code /metrics}, e.g. {@code hostproxy_routes_last_reload_successful}. */
    private static double metric(String series) {
        String text;
        try {
            text = ContainerSuite.admin("/metrics").text();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError(series + " is not in /metrics");
    }

    @Test
    void aChangeIsInForceWithinTheCheckAndASecondWhetherALinkIsSwappedTheFileWrittenInPlaceOrRenamedOverIt()
            throws Exception {
        assertEquals(404, get("live").status(), "not in allowedBackends, and no line yet");
        SuiteRoutes.swapLink(with("live  http://alpha:" + PORT));
        inForce("live", "alpha");
        SuiteRoutes.writeInPlace(with("live  http://beta:" + PORT));
        inForce("live", "beta");
        SuiteRoutes.renameOver(with("live  http://gamma:" + PORT));
        inForce("live", "gamma");
        assertTrue(ContainerSuite.admin("/").text().contains("http://gamma:" + PORT), "the status page lists it");
    }

    /**
     * A stream from alpha (an event every 100 ms) and a WebSocket to the echo server stay with their
     * backends while their routes move elsewhere and vanish, 30 times, each change awaited; requests
     * meanwhile all succeed. (WildFly refuses tunnels: the stream alone.)
     */
    @Test
    void aStreamAndAWebSocketUnderWayKeepTheirBackendAcrossThirtyChangesWhileNoRequestFails() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        backends.alpha.handle(r -> r.target().equals("/events") ? events(release) : TestBackend.echo(r));
        SuiteRoutes.swapLink(with("live  http://alpha:" + PORT, "stream  http://alpha:" + PORT, "wslive  http://echo:" + PORT));
        inForce("live", "alpha");
        boolean tunnels = ContainerSuite.container() != ContainerSuite.Container.WILDFLY;
        ExecutorService threads = Executors.newFixedThreadPool(2);
        AtomicBoolean stop = new AtomicBoolean();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicInteger requests = new AtomicInteger();
        try (RawClient stream = new RawClient(ContainerSuite.port());
             WsClient ws = tunnels ? WsClient.open("wslive.proxy.test", ContainerSuite.port(), "/echo") : null) {
            stream.send("GET /events HTTP/1.1\nHost: stream\nAccept: text/event-stream", null);
            assertTrue(stream.readLine().startsWith("HTTP/1.1 200"));
            List<String> head = new ArrayList<>();
            for (String line = stream.readLine(); !line.isEmpty(); line = stream.readLine()) {
                head.add(line);
            }
            assertTrue(head.contains("X-Backend: alpha"), head.toString());
            Future<List<String>> events = threads.submit(() -> events(stream));
            Future<?> loop = threads.submit(() -> {
                while (!stop.get()) {
                    RawResponse r = get("live", "/n/" + requests.incrementAndGet());
                    if (r.status() != 200) {
                        failures.add(r.status() + " " + r.text());
                    }
                }
                return null;
            });
            for (int i = 0; i < 30; i++) {
                double taken = metric(OK);
                String next = with("live  http://" + (i % 2 == 0 ? "beta" : "alpha") + ":" + PORT
                                + "  connectTimeout=" + (500 + i) + "ms", // every change another table
                        i % 3 == 0 ? "" : "stream  http://beta:" + PORT,
                        i % 2 == 0 ? "wslive  http://alpha:" + PORT : "");
                if (i % 2 == 0) {
                    SuiteRoutes.swapLink(next);
                } else {
                    SuiteRoutes.writeInPlace(next);
                }
                Await.until(() -> metric(OK) >= taken + 1, Duration.ofSeconds(10), "change " + i + " taken");
                if (ws != null) {
                    ws.sendText("after change " + i);
                    assertEquals("after change " + i, ws.next(), "the WebSocket still reaches the echo server");
                }
            }
            assertEquals("beta", get("stream").header("X-Backend"), "a new request follows the last change");
            release.countDown();
            List<String> seen = events.get(20, TimeUnit.SECONDS);
            assertEquals("data: end", seen.get(seen.size() - 1));
            for (int n = 0; n < seen.size() - 1; n++) {
                assertEquals("data: " + n, seen.get(n), "every event of the stream, in order");
            }
            stop.set(true);
            loop.get(20, TimeUnit.SECONDS);
            assertEquals(List.of(), failures);
            assertTrue(requests.get() > 30, requests.get() + " requests");
        } finally {
            release.countDown();
            stop.set(true);
            threads.shutdownNow();
        }
    }

    /** The events of a chunked event stream, up to {@code data: end} or the end of the body. */
    private static List<String> events(RawClient stream) throws IOException {
        List<String> seen = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String size = stream.readLine(); size != null; size = stream.readLine()) {
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                break;
            }
            body.append(new String(stream.input().readNBytes(n), UTF_8));
            stream.readLine(); // the chunk's CRLF
            for (int end = body.indexOf("\n\n"); end >= 0; end = body.indexOf("\n\n")) {
                seen.add(body.substring(0, end));
                body.delete(0, end + 2);
            }
            if (!seen.isEmpty() && seen.get(seen.size() - 1).equals("data: end")) {
                break;
            }
        }
        return seen;
    }

    /** An event every 100 ms until released (at most two minutes), then the last one. */
    private static Reply events(CountDownLatch release) {
        return Reply.head("HTTP/1.1 200 OK\nContent-Type: text/event-stream\nTransfer-Encoding: chunked", (out, socket) -> {
            try {
                for (int n = 0; n < 1_200 && !release.await(100, TimeUnit.MILLISECONDS); n++) {
                    out.write(chunk("data: " + n + "\n\n"));
                    out.flush();
                }
            } catch (InterruptedException e) {
                return false;
            }
            out.write(chunk("data: end\n\n"));
            out.write("0\r\n\r\n".getBytes(UTF_8));
            out.flush();
            return true;
        });
    }

    private static byte[] chunk(String data) {
        byte[] bytes = data.getBytes(UTF_8);
        return (Integer.toHexString(bytes.length) + "\r\n" + data + "\r\n").getBytes(UTF_8);
    }

    @Test
    void aBadFileKeepsTheLastGoodRoutesAndIsReportedUntilMended() throws Exception {
        SuiteRoutes.swapLink(with("live  http://beta:" + PORT));
        inForce("live", "beta");
        double failed = metric(FAILED);
        SuiteRoutes.writeInPlace(with("live  http://alpha:" + PORT + "  maxBodySize=lots"));
        Await.until(() -> metric(FAILED) == failed + 1, Duration.ofSeconds(10), "the bad file is refused");
        assertEquals(0, metric(SUCCESSFUL));
        assertEquals("beta", get("live").header("X-Backend"), "the last good routes stay");
        assertEquals(200, ContainerSuite.admin("/readyz").status(), "the proxy serves");
        String page = ContainerSuite.admin("/").text();
        int badLine = SuiteRoutes.BASE.split("\n").length + 1; // the first line after the base routes
        assertTrue(page.contains("line " + badLine + ": maxBodySize=&#39;lots&#39;: expected unlimited"), page);

        SuiteRoutes.writeInPlace(with("live  http://alpha:" + PORT));
        inForce("live", "alpha");
        assertEquals(1, metric(SUCCESSFUL));
        assertEquals(failed + 1, metric(FAILED));
    }
}
