package rehearsal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The answers of the replica that breaks HTTP/1.1's framing on purpose (RFC 9112 §6), one kind per
 * request, chosen by its id. A proxy must turn each into a clean {@code 502} before any byte, a
 * connection visibly broken off, or the body exactly as framed; never a complete-looking wrong
 * body, and never a wrong answer to the next request on the same pooled connection.
 */
final class Malformed {
    private Malformed() {
    }

    /** @return whether the connection may carry another request (never, after a broken answer) */
    static boolean answer(OutputStream out, String id, long size) throws IOException {
        int kind = Math.floorMod(id.hashCode(), 8);
        byte[] body = new byte[(int) Math.min(size, 1 << 20)];
        new Content(id).next(body, 0, body.length);
        String echo = "X-Echo-Id: " + id;
        switch (kind) {
            case 0 -> { // a correct answer: the proxy must not hold earlier faults against it
                Wire.writeHead(out, "HTTP/1.1 200 OK", echo, "Content-Length: " + body.length);
                out.write(body);
                out.flush();
                return true;
            }
            case 1 -> { // both framings: read by its chunks, forwarded without the length
                Wire.writeHead(out, "HTTP/1.1 200 OK", echo, "Content-Length: " + (body.length + 7), "Transfer-Encoding: chunked");
                if (body.length > 0) {
                    Wire.writeChunk(out, body, 0, body.length);
                }
                Wire.writeLastChunk(out);
                out.flush();
                return false;
            }
            case 2 -> { // a chunk size that is no number, before any body byte: 502
                Wire.writeHead(out, "HTTP/1.1 200 OK", echo, "Transfer-Encoding: chunked");
                out.write("zz\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return false;
            }
            case 3 -> { // not an HTTP/1.x status line: 502
                Wire.writeHead(out, "HTTP/2.0 200 OK", echo, "Content-Length: " + body.length);
                out.write(body);
                out.flush();
                return false;
            }
            case 4 -> { // two different lengths: 502
                Wire.writeHead(out, "HTTP/1.1 200 OK", echo, "Content-Length: " + body.length, "Content-Length: " + (body.length + 1));
                out.write(body);
                out.flush();
                return false;
            }
            case 5 -> { // half the body, then the connection ends: the client's must end visibly too
                Wire.writeHead(out, "HTTP/1.1 200 OK", echo, "Content-Length: " + (body.length + 2));
                out.write(body, 0, body.length / 2);
                out.flush();
                return false;
            }
            case 6 -> { // bytes beyond Content-Length: the client gets the framed body only
                Wire.writeHead(out, "HTTP/1.1 200 OK", echo, "Content-Length: " + body.length);
                out.write(body);
                out.write("HTTP/1.1 200 OK\r\nX-Echo-Id: smuggled\r\nContent-Length: 3\r\n\r\nbad".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return true; // left open: the proxy must not reuse it
            }
            default -> { // chunked, broken off before the last chunk
                Wire.writeHead(out, "HTTP/1.1 200 OK", echo, "Transfer-Encoding: chunked");
                Wire.writeChunk(out, body, 0, body.length / 2 + 1);
                out.flush();
                return false;
            }
        }
    }
}
