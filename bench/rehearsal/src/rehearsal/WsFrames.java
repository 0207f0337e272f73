package rehearsal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/** WebSocket frames (RFC 6455 §5), written and read whole; messages are single frames here. */
final class WsFrames {
    static final int TEXT = 1;
    static final int CLOSE = 8;
    static final int PING = 9;
    static final int PONG = 10;
    private static final int MAX_PAYLOAD = 1 << 20;

    private WsFrames() {
    }

    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame, or 1005 (none given). */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    /** {@code Sec-WebSocket-Accept} for a key (RFC 6455 §4.2.2). */
    static String accept(String key) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String newKey() {
        byte[] k = new byte[16];
        ThreadLocalRandom.current().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    /** One frame, FIN set; {@code masked} as a client must send them (§5.3). */
    static void write(OutputStream out, int opcode, byte[] payload, boolean masked) throws IOException {
        int n = payload.length;
        byte[] head = new byte[14];
        int h = 0;
        head[h++] = (byte) (0x80 | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (n < 126) {
            head[h++] = (byte) (maskBit | n);
        } else if (n < 65_536) {
            head[h++] = (byte) (maskBit | 126);
            head[h++] = (byte) (n >>> 8);
            head[h++] = (byte) n;
        } else {
            head[h++] = (byte) (maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                head[h++] = (byte) ((long) n >>> shift);
            }
        }
        byte[] body = payload;
        if (masked) {
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            System.arraycopy(mask, 0, head, h, 4);
            h += 4;
            body = new byte[n];
            for (int i = 0; i < n; i++) {
                body[i] = (byte) (payload[i] ^ mask[i & 3]);
            }
        }
        synchronized (out) {
            out.write(head, 0, h);
            out.write(body);
            out.flush();
        }
    }

    static void close(OutputStream out, int code, boolean masked) throws IOException {
        write(out, CLOSE, new byte[] {(byte) (code >>> 8), (byte) code}, masked);
    }

    /** The next frame; an {@link EOFException} when the connection ended before one (or inside it). */
    static Frame read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int b0 = data.read();
        if (b0 < 0) {
            throw new EOFException("connection ended without a close frame");
        }
        int b1 = data.readUnsignedByte();
        long n = b1 & 0x7f;
        if (n == 126) {
            n = data.readUnsignedShort();
        } else if (n == 127) {
            n = data.readLong();
        }
        if (n > MAX_PAYLOAD || (b0 & 0x80) == 0) {
            throw new IOException("frame not expected here: length " + n + ", FIN " + (b0 >>> 7));
        }
        byte[] mask = null;
        if ((b1 & 0x80) != 0) {
            mask = new byte[4];
            data.readFully(mask);
        }
        byte[] payload = new byte[(int) n];
        data.readFully(payload);
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame(b0 & 0x0f, payload);
    }
}
