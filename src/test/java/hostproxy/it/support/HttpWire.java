package hostproxy.it.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** HTTP/1.1 framing shared by the test client and the test backend (RFC 9112). */
final class HttpWire {
    private HttpWire() {
    }

    /** One CRLF-terminated line, or {@code null} at a clean end of stream. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        if (line.size() > 0) {
            throw new EOFException("stream ended inside a line");
        }
        return null;
    }

    static List<Field> readFields(InputStream in) throws IOException {
        List<Field> fields = new ArrayList<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            fields.add(new Field(line.substring(0, colon), line.substring(colon + 1).trim()));
        }
        return fields;
    }

    static String first(List<Field> fields, String name) {
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                return f.value();
            }
        }
        return null;
    }

    /** Reads exactly {@code n} bytes, or as many as came before the stream ended. */
    static byte[] readUpTo(InputStream in, long n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long left = n;
        while (left > 0) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (r < 0) {
                break;
            }
            out.write(buffer, 0, r);
            left -= r;
        }
        return out.toByteArray();
    }

    /** Decodes a chunked body into {@code out}; returns false when the stream ended before the last chunk. */
    static boolean readChunked(InputStream in, ByteArrayOutputStream out) throws IOException {
        for (;;) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                return false;
            }
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                readFields(in); // trailer section
                return true;
            }
            byte[] chunk = readUpTo(in, size);
            out.write(chunk);
            if (chunk.length < size || readLine(in) == null) {
                return false;
            }
        }
    }
}
