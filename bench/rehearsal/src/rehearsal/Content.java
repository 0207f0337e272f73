package rehearsal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The bytes of a body, decided by its request's id: a backend sends them, a client checks them,
 * and neither has to hold the body. Any byte lost, repeated, moved or taken from another exchange
 * differs from what the id gives. Made of 4 KiB blocks, each drawn from a generator seeded by the
 * id and the block's index.
 */
final class Content {
    private static final int BLOCK = 4096;
    private final long seed;
    private final byte[] block = new byte[BLOCK];
    private long position;
    private long blockIndex = -1;

    Content(String id) {
        this.seed = seedOf(id);
    }

    private static long seedOf(String id) {
        long h = 0xcbf29ce484222325L; // FNV-1a, 64 bits
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /** The next {@code len} bytes of the content into {@code dst}. */
    void next(byte[] dst, int off, int len) {
        while (len > 0) {
            int at = (int) (position % BLOCK);
            fillBlock(position / BLOCK);
            int n = Math.min(len, BLOCK - at);
            System.arraycopy(block, at, dst, off, n);
            off += n;
            len -= n;
            position += n;
        }
    }

    private void fillBlock(long index) {
        if (index != blockIndex) {
            new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L)).nextBytes(block);
            blockIndex = index;
        }
    }

    /** Compares bytes received with the content, in order; remembers the first difference. */
    static final class Check implements Wire.Sink {
        private final Content expected;
        private final byte[] mine = new byte[16 * 1024];
        private long received;
        private long firstDifference = -1;

        Check(String id) {
            expected = new Content(id);
        }

        @Override
        public void accept(byte[] b, int off, int len) {
            while (len > 0) {
                int n = Math.min(len, mine.length);
                expected.next(mine, 0, n);
                if (firstDifference < 0) {
                    for (int i = 0; i < n; i++) {
                        if (mine[i] != b[off + i]) {
                            firstDifference = received + i;
                            break;
                        }
                    }
                }
                received += n;
                off += n;
                len -= n;
            }
        }

        long received() {
            return received;
        }

        /** Whether exactly {@code length} bytes came, each as the content says. */
        boolean exact(long length) {
            return received == length && firstDifference < 0;
        }

        /** What differs, for the record. */
        String difference(long length) {
            if (firstDifference >= 0) {
                return "byte " + firstDifference + " differs (" + received + " of " + length + " received)";
            }
            return received + " bytes of " + length;
        }
    }

    /** SHA-256 of a body, as the backend reports an upload's. */
    static final class Digest implements Wire.Sink {
        private final MessageDigest sha;
        private long bytes;

        Digest() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void accept(byte[] b, int off, int len) {
            sha.update(b, off, len);
            bytes += len;
        }

        long bytes() {
            return bytes;
        }

        String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }
}
