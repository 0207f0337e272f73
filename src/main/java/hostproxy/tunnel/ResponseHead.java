package hostproxy.tunnel;

import hostproxy.relay.HeaderField;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A backend's response head as read off the wire, and the bytes that came after it (the first
 * bytes of the new protocol, or of a body).
 */
record ResponseHead(int status, List<HeaderField> fields, byte[] rest) {
    /** Longest head accepted, as HttpClient's default line and header limits allow roughly. */
    static final int MAX_HEAD = 64 * 1024;

    /** Values of every field of this name. */
    List<String> values(String name) {
        List<String> values = new ArrayList<>();
        for (HeaderField f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                values.add(f.value());
            }
        }
        return values;
    }

    String first(String name) {
        List<String> values = values(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /** Where the head ends ({@code \r\n\r\n}, or a bare {@code \n\n}), or -1. */
    static int end(byte[] buf, int length) {
        for (int i = 0; i + 1 < length; i++) {
            if (buf[i] == '\n' && buf[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 3 < length && buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /**
     * @throws IllegalArgumentException the head is not an HTTP/1.x response head
     */
    static ResponseHead parse(byte[] buf, int headEnd, int length) {
        String text = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n");
        String statusLine = lines[0];
        if (!statusLine.matches("HTTP/1\\.[01] \\d{3}( .*)?")) {
            throw new IllegalArgumentException("status line is not HTTP/1.x: " + printable(statusLine));
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        List<HeaderField> fields = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t'
                    || Character.isWhitespace(line.charAt(colon - 1))) {
                throw new IllegalArgumentException("malformed header line: " + printable(line));
            }
            fields.add(new HeaderField(line.substring(0, colon), line.substring(colon + 1).trim()));
        }
        byte[] rest = new byte[length - headEnd];
        System.arraycopy(buf, headEnd, rest, 0, rest.length);
        return new ResponseHead(status, List.copyOf(fields), rest);
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
