package bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Client for bench/run --big (plain sockets, HTTP/1.1, Host header set freely).
 *   updown HOST PORT HOST_HEADER BYTES LIMIT_S
 *       POST /digest with BYTES of {@link BigStream} (Content-Length), compares the backend's
 *       "bytes=N sha256=X" with what was sent; then GET /big?bytes=BYTES and compares size and
 *       SHA-256 with the same stream.  Each transfer is bounded by LIMIT_S and 30 s of silence.
 *   slow HOST PORT HOST_HEADER RATE_BYTES_PER_S SECONDS
 *       GET /big (1 GiB) read at RATE for SECONDS, every byte compared with the stream, then closed.
 * Prints a summary and "RESULT {json}".
 */
public final class BigClient {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        InetSocketAddress addr = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        String host = args[3];
        if (mode.equals("updown")) {
            long bytes = Long.parseLong(args[4]);
            long limitMs = Long.parseLong(args[5]) * 1000;
            String up = upload(addr, host, bytes, limitMs);
            String down = download(addr, host, bytes, limitMs);
            System.out.println("RESULT {" + up + "," + down + "}");
        } else {
            long rate = Long.parseLong(args[4]);
            long seconds = Long.parseLong(args[5]);
            System.out.println("RESULT {" + slow(addr, host, rate, seconds) + "}");
        }
        System.exit(0);
    }

    static final class Resp {
        int status;
        long length = -1;
        boolean chunked;
        InputStream body;
    }

    static Resp head(InputStream in) throws IOException {
        StringBuilder h = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            h.append((char) c);
            int n = h.length();
            if (n >= 4 && h.charAt(n - 1) == '\n' && h.charAt(n - 2) == '\r' && h.charAt(n - 3) == '\n'
                    && h.charAt(n - 4) == '\r') {
                break;
            }
            if (n > 65536) {
                throw new IOException("response head too long");
            }
        }
        if (c < 0) {
            throw new IOException("connection closed before a response head");
        }
        Resp r = new Resp();
        String[] lines = h.toString().split("\r\n");
        r.status = Integer.parseInt(lines[0].split(" ")[1]);
        for (String l : lines) {
            String low = l.toLowerCase(Locale.ROOT);
            if (low.startsWith("content-length:")) {
                r.length = Long.parseLong(l.substring(15).trim());
            } else if (low.startsWith("transfer-encoding:") && low.contains("chunked")) {
                r.chunked = true;
            }
        }
        r.body = r.chunked ? new Chunked(in) : in;
        return r;
    }

    /** Minimal chunked decoder. */
    static final class Chunked extends InputStream {
        final InputStream in;
        long left;
        boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            int r = read(b, 0, 1);
            return r < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                StringBuilder sz = new StringBuilder();
                int c;
                while ((c = in.read()) >= 0 && c != '\n') {
                    if (c != '\r') {
                        sz.append((char) c);
                    }
                }
                if (sz.length() == 0 && c >= 0) { // CRLF after the previous chunk
                    while ((c = in.read()) >= 0 && c != '\n') {
                        if (c != '\r') {
                            sz.append((char) c);
                        }
                    }
                }
                String s = sz.toString().trim();
                int semi = s.indexOf(';');
                left = Long.parseLong(semi >= 0 ? s.substring(0, semi) : s, 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int r = in.read(b, off, (int) Math.min(len, left));
            if (r > 0) {
                left -= r;
            }
            return r;
        }
    }

    static String upload(InetSocketAddress addr, String host, long bytes, long limitMs) throws Exception {
        long t0 = System.nanoTime();
        long deadline = System.currentTimeMillis() + limitMs;
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        String error = null;
        String answer = "";
        long sent = 0;
        try (Socket so = new Socket()) {
            so.connect(addr, 5000);
            so.setSoTimeout(30000);
            OutputStream out = so.getOutputStream();
            out.write(("POST /digest HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + bytes + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] blk = new byte[BigStream.BLOCK];
            for (long i = 0; sent < bytes; i++) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("upload not done within " + limitMs / 1000 + " s");
                }
                BigStream.block(i, blk);
                int len = (int) Math.min(BigStream.BLOCK, bytes - sent);
                out.write(blk, 0, len);
                md.update(blk, 0, len);
                sent += len;
            }
            out.flush();
            InputStream in = new BufferedInputStream(so.getInputStream());
            Resp r = head(in);
            byte[] body = r.body.readNBytes(4096);
            answer = new String(body, StandardCharsets.US_ASCII).trim();
            if (r.status != 200) {
                error = "HTTP " + r.status + " " + answer;
            }
        } catch (IOException e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage() + " (after " + sent + " bytes sent)";
        }
        double s = (System.nanoTime() - t0) / 1e9;
        String expect = "bytes=" + bytes + " sha256=" + BigStream.hex(md.digest());
        boolean ok = error == null && answer.equals(expect);
        if (error == null && !ok) {
            error = "backend saw '" + answer + "', sent '" + expect + "'";
        }
        return transfer("upload", bytes, ok, s, sent, error);
    }

    static String download(InetSocketAddress addr, String host, long bytes, long limitMs) throws Exception {
        long t0 = System.nanoTime();
        long deadline = System.currentTimeMillis() + limitMs;
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        String error = null;
        long received = 0;
        try (Socket so = new Socket()) {
            Resp r = getBig(so, addr, host, bytes, 256 * 1024);
            byte[] b = new byte[256 * 1024];
            int n;
            while ((n = r.body.read(b, 0, (int) Math.min(b.length, r.length >= 0 ? r.length - received : b.length))) > 0) {
                got.update(b, 0, n);
                received += n;
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("download not done within " + limitMs / 1000 + " s");
                }
                if (r.length >= 0 && received >= r.length) {
                    break;
                }
            }
        } catch (IOException e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage() + " (after " + received + " bytes)";
        }
        double s = (System.nanoTime() - t0) / 1e9;
        boolean ok = error == null && received == bytes && MessageDigest.isEqual(got.digest(), BigStream.sha256(bytes));
        if (error == null && !ok) {
            error = "received " + received + " bytes, SHA-256 " + (received == bytes ? "differs" : "n/a");
        }
        return transfer("download", bytes, ok, s, received, error);
    }

    static String slow(InetSocketAddress addr, String host, long rate, long seconds) throws Exception {
        long t0 = System.nanoTime();
        String error = null;
        long received = 0;
        long mismatches = 0;
        try (Socket so = new Socket()) {
            Resp r = getBig(so, addr, host, 1L << 30, 16 * 1024);
            byte[] b = new byte[16 * 1024];
            long endNs = t0 + seconds * 1_000_000_000L;
            while (System.nanoTime() < endNs) {
                // never ahead of RATE: sleep until the bytes read so far are "due"
                long dueNs = t0 + received * 1_000_000_000L / rate;
                long sleepMs = (dueNs - System.nanoTime()) / 1_000_000;
                if (sleepMs > 0) {
                    Thread.sleep(Math.min(sleepMs, 100));
                    continue;
                }
                int n = r.body.read(b, 0, b.length);
                if (n < 0) {
                    throw new IOException("response ended early");
                }
                for (int i = 0; i < n; i++) {
                    if (b[i] != BigStream.at(received + i)) {
                        mismatches++;
                    }
                }
                received += n;
            }
        } catch (IOException e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        boolean ok = error == null && mismatches == 0;
        System.out.printf(Locale.ROOT, "slow reader: %d bytes in %.1f s (%.2f MB/s), %s%s%n", received, s,
                received / s / 1e6, mismatches == 0 ? "every byte as sent" : mismatches + " bytes differ",
                error == null ? "" : "; " + error);
        return String.format(Locale.ROOT, "\"slow_ok\":%b,\"slow_bytes\":%d,\"slow_s\":%.1f,\"slow_mbps\":%.2f,"
                + "\"slow_mismatches\":%d,\"slow_error\":%s", ok, received, s, received / s / 1e6, mismatches,
                json(error));
    }

    /** Connects {@code so} and asks for {@code GET /big?bytes=N}; returns the response once its head says 200. */
    static Resp getBig(Socket so, InetSocketAddress addr, String host, long bytes, int buffer) throws IOException {
        so.connect(addr, 5000);
        so.setSoTimeout(30000);
        so.getOutputStream().write(("GET /big?bytes=" + bytes + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        Resp r = head(new BufferedInputStream(so.getInputStream(), buffer));
        if (r.status != 200) {
            throw new IOException("HTTP " + r.status);
        }
        return r;
    }

    /** Prints one transfer's summary line and returns its RESULT fields, named {@code <name>_ok} and so on. */
    static String transfer(String name, long bytes, boolean ok, double s, long moved, String error) {
        System.out.printf(Locale.ROOT, "%-8s %d bytes: %s in %.1f s (%.0f MB/s)%s%n", name, bytes,
                ok ? "OK, byte-exact" : "FAILED", s, moved / s / 1e6, error == null ? "" : ": " + error);
        return String.format(Locale.ROOT, "\"%s_ok\":%b,\"%s_s\":%.2f,\"%s_mbps\":%.1f,\"%s_error\":%s",
                name, ok, name, s, name, moved / s / 1e6, name, json(error));
    }

    static String json(String error) {
        return error == null ? "null" : "\"" + error.replace("\"", "'") + "\"";
    }
}
