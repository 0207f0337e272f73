package hostproxy.tunnel;

import hostproxy.relay.HeaderField;
import hostproxy.relay.ResponseFields;
import hostproxy.relay.ProxyError;
import hostproxy.relay.ResponseAbortedException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A backend that answers an upgrade request with anything but {@code 101} (a {@code 400}, {@code 403},
 * {@code 426}...): its answer is relayed as a normal response, read off the handshake's socket by
 * its framing (RFC 9112 §6.3: chunked, {@code Content-Length}, or until the backend closes).
 */
final class PlainAnswer {
    private PlainAnswer() {
    }

    static void relay(ResponseHead head, InputStream socket, String method, List<HeaderField> fields,
            HttpServletResponse response, String backendName) throws ProxyError, ResponseAbortedException {
        response.setStatus(head.status());
        ResponseFields.set(response, fields);
        int status = head.status();
        if (method.equals("HEAD") || status == 204 || status == 304) {
            return;
        }
        InputStream in = new SequenceInputStream(new ByteArrayInputStream(head.rest()), socket);
        String te = head.first("Transfer-Encoding");
        String cl = head.first("Content-Length");
        try {
            ServletOutputStream out = response.getOutputStream();
            if (te != null) {
                if (!te.trim().equalsIgnoreCase("chunked")) {
                    throw new ProxyError(502, "backend " + backendName + " sent an invalid response: transfer coding " + te, null);
                }
                copyChunked(in, out, backendName);
            } else if (cl != null) {
                long length;
                try {
                    length = Long.parseLong(cl.trim());
                } catch (NumberFormatException e) {
                    throw new ProxyError(502, "backend " + backendName + " sent an invalid response: Content-Length " + cl, null);
                }
                copy(in, out, length, backendName);
            } else {
                copy(in, out, Long.MAX_VALUE, backendName);
            }
            out.flush();
        } catch (ResponseAbortedException e) {
            throw e;
        } catch (IOException e) {
            if (!response.isCommitted()) {
                throw new ProxyError(502, "backend " + backendName + " failed: " + e.getMessage(), e);
            }
            throw new ResponseAbortedException("relaying the answer of " + backendName + " failed: " + e);
        }
    }

    private static void copy(InputStream in, ServletOutputStream out, long length, String backendName) throws IOException {
        byte[] buf = new byte[8192];
        long left = length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                if (length == Long.MAX_VALUE) {
                    return; // close-delimited: the end
                }
                throw new ResponseAbortedException("backend " + backendName + " closed before the end of its answer");
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private static void copyChunked(InputStream in, ServletOutputStream out, String backendName) throws IOException {
        for (int chunks = 0; ; chunks++) {
            String line = line(in, backendName);
            int semi = line.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new ResponseAbortedException("backend " + backendName + " sent a malformed chunked body");
            }
            if (size == 0) {
                while (!line(in, backendName).isEmpty()) {
                    // trailer fields are dropped
                }
                return;
            }
            copy(in, out, size, backendName);
            line(in, backendName);
        }
    }

    private static String line(InputStream in, String backendName) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0 || line.size() > 8192) {
                throw new ResponseAbortedException("backend " + backendName + " sent a malformed chunked body");
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
