package bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.Executors;

/**
 * Backend for bench/run --big (a handful of concurrent exchanges, so the JDK's HttpServer with a
 * small thread pool is enough):
 *   GET  /big?bytes=N  -> 200, Content-Length N, the first N bytes of {@link BigStream}
 *   POST /digest       -> reads the whole body, answers "bytes=N sha256=HEX\n"
 *   anything else      -> 200 "ok\n"
 * Usage: java bench.BigBackend BIND_HOST PORT
 */
public final class BigBackend {
    public static void main(String[] args) throws IOException {
        String bind = args.length > 0 ? args[0] : "127.0.0.13";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", BigBackend::handle);
        server.start();
        System.out.println("big-backend listening on " + bind + ":" + port);
    }

    private static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if ("GET".equals(ex.getRequestMethod()) && path.equals("/big")) {
                long n = 1L << 30;
                String q = ex.getRequestURI().getQuery();
                if (q != null && q.startsWith("bytes=")) {
                    n = Long.parseLong(q.substring(6));
                }
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, n);
                byte[] blk = new byte[BigStream.BLOCK];
                try (OutputStream out = ex.getResponseBody()) {
                    long sent = 0;
                    for (long i = 0; sent < n; i++) {
                        BigStream.block(i, blk);
                        int len = (int) Math.min(BigStream.BLOCK, n - sent);
                        out.write(blk, 0, len);
                        sent += len;
                    }
                } catch (IOException e) {
                    // client (slow reader) went away: fine
                }
                return;
            }
            if (path.equals("/digest")) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                long total = 0;
                byte[] b = new byte[256 * 1024];
                try (InputStream in = ex.getRequestBody()) {
                    int r;
                    while ((r = in.read(b)) >= 0) {
                        md.update(b, 0, r);
                        total += r;
                    }
                }
                byte[] body = ("bytes=" + total + " sha256=" + BigStream.hex(md.digest()) + "\n")
                        .getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            byte[] ok = "ok\n".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }
}
