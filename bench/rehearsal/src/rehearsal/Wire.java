package rehearsal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** HTTP/1.1 framing (RFC 9112), shared by the rehearsal's clients and its backend replicas. */
final class Wire {
    private Wire() {
    }

    /** A message head: the start line and its fields (names lower-cased, the first of each kept). */
    record Head(String startLine, Map<String, String> fields) {
        String field(String name) {
            return fields.get(name.toLowerCase(Locale.ROOT));
        }

        /** The status code of a response head. */
        int status() {
            return Integer.parseInt(startLine.substring(9, 12));
        }

        long contentLength() {
            String v = field("content-length");
            return v == null ? -1 : Long.parseLong(v.trim());
        }

        boolean chunked() {
            String v = field("transfer-encoding");
            return v != null && v.toLowerCase(Locale.ROOT).contains("chunked");
        }
    }

    /** One CRLF-terminated line, or {@code null} at a clean end of stream before it. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') {
                int n = line.length();
                return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
            }
            if (line.length() > 65_536) {
                throw new IOException("line too long");
            }
            line.append((char) b);
        }
        if (line.length() > 0) {
            throw new EOFException("stream ended inside a line");
        }
        return null;
    }

    /** A head, or {@code null} when the stream ended cleanly before one began. */
    static Head readHead(InputStream in) throws IOException {
        String start = readLine(in);
        if (start == null) {
            return null;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line = readLine(in); ; line = readLine(in)) {
            if (line == null) {
                throw new EOFException("stream ended inside a head");
            }
            if (line.isEmpty()) {
                return new Head(start, fields);
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
    }

    static void writeHead(OutputStream out, String startLine, String... fields) throws IOException {
        StringBuilder head = new StringBuilder(startLine).append("\r\n");
        for (String f : fields) {
            head.append(f).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    static void writeChunk(OutputStream out, byte[] b, int off, int len) throws IOException {
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b, off, len);
        out.write('\r');
        out.write('\n');
    }

    static void writeLastChunk(OutputStream out) throws IOException {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Where a body's bytes go as they are read. */
    interface Sink {
        void accept(byte[] b, int off, int len) throws IOException;
    }

    /**
     * Reads a response's body framed by {@code head} into {@code sink} (without framing, it lasts
     * until the connection ends).
     *
     * @return true when the framing completed (all of {@code Content-Length}, or the last chunk);
     *         false when the stream ended first: a body visibly broken off
     */
    static boolean readBody(InputStream in, Head head, Sink sink) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        if (head.chunked()) {
            for (;;) {
                String sizeLine = readLine(in);
                if (sizeLine == null) {
                    return false;
                }
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    for (String t = readLine(in); t != null && !t.isEmpty(); t = readLine(in)) {
                        // trailer fields: none expected, skipped
                    }
                    return true;
                }
                if (!copy(in, size, buffer, sink) || readLine(in) == null) {
                    return false;
                }
            }
        }
        long length = head.contentLength();
        if (length >= 0) {
            return copy(in, length, buffer, sink);
        }
        for (int n; (n = in.read(buffer)) >= 0; ) { // delimited by the end of the connection
            sink.accept(buffer, 0, n);
        }
        return true;
    }

    private static boolean copy(InputStream in, long n, byte[] buffer, Sink sink) throws IOException {
        for (long left = n; left > 0; ) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (r < 0) {
                return false;
            }
            sink.accept(buffer, 0, r);
            left -= r;
        }
        return true;
    }

    /** A request's body: without {@code Content-Length} or chunked framing it has none (RFC 9112 §6.3). */
    static boolean readRequestBody(InputStream in, Head head, Sink sink) throws IOException {
        if (!head.chunked() && head.contentLength() < 0) {
            return true;
        }
        return readBody(in, head, sink);
    }

    /** The value of {@code name} in a query string, or {@code fallback}. */
    static String query(String target, String name, String fallback) {
        int q = target.indexOf('?');
        if (q < 0) {
            return fallback;
        }
        for (String pair : target.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return pair.substring(eq + 1);
            }
        }
        return fallback;
    }

    static String path(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }
}
