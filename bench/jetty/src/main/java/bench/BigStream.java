package bench;

import java.util.SplittableRandom;

/**
 * The deterministic body of bench/run --big: 64 KiB blocks, each a fixed pseudo-random block
 * (seed 42) whose first 8 bytes are replaced by the block's index, so that a lost, repeated or
 * re-ordered block changes the SHA-256.  Byte i of the stream depends only on i.
 */
public final class BigStream {
    public static final int BLOCK = 64 * 1024;
    private static final byte[] BASE = new byte[BLOCK];
    static {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < BLOCK; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8; j++) {
                BASE[i + j] = (byte) (v >>> (8 * j));
            }
        }
    }

    private BigStream() {
    }

    /** Fills dst[0..BLOCK) with block number {@code index}. */
    public static void block(long index, byte[] dst) {
        System.arraycopy(BASE, 0, dst, 0, BLOCK);
        for (int j = 0; j < 8; j++) {
            dst[j] = (byte) (index >>> (56 - 8 * j));
        }
    }

    /** The stream's byte at {@code pos}. */
    public static byte at(long pos) {
        long index = pos / BLOCK;
        int off = (int) (pos % BLOCK);
        return off < 8 ? (byte) (index >>> (56 - 8 * off)) : BASE[off];
    }

    /** The SHA-256 of the stream's first {@code bytes} bytes. */
    public static byte[] sha256(long bytes) throws java.security.NoSuchAlgorithmException {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        byte[] blk = new byte[BLOCK];
        for (long i = 0, done = 0; done < bytes; i++) {
            block(i, blk);
            int len = (int) Math.min(BLOCK, bytes - done);
            md.update(blk, 0, len);
            done += len;
        }
        return md.digest();
    }

    public static String hex(byte[] d) {
        StringBuilder sb = new StringBuilder();
        for (byte b : d) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }
}
