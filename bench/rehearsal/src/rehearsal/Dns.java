package rehearsal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The names in the real DNS server (dnsmasq, reading a hosts file per name from {@code --hostsdir}
 * and re-reading a changed one by itself), and a check of what it answers, so that the time a
 * change took effect is known.
 */
final class Dns {
    private final Path hostsDir;
    private final InetSocketAddress server;

    Dns(Path hostsDir, InetSocketAddress server) {
        this.hostsDir = hostsDir;
        this.server = server;
    }

    /**
     * Makes {@code name} resolve to {@code addresses}, and waits (at most 10 s) until the server
     * answers so. The file is replaced whole (written aside, then renamed).
     */
    void set(String name, Collection<String> addresses) throws IOException, InterruptedException {
        StringBuilder hosts = new StringBuilder();
        for (String a : addresses) {
            hosts.append(a).append(' ').append(name).append('\n');
        }
        Path tmp = hostsDir.resolveSibling(name + ".hosts.tmp");
        Files.writeString(tmp, hosts.toString());
        Files.move(tmp, hostsDir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Set<String> wanted = new TreeSet<>(addresses);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!wanted.equals(resolve(name))) {
            if (System.nanoTime() > deadline) {
                throw new IOException("dnsmasq does not answer " + name + " -> " + wanted + " within 10 s");
            }
            Thread.sleep(100);
        }
    }

    /** The A records the server gives for {@code name} now (empty on any failure). */
    Set<String> resolve(String name) {
        Set<String> found = new TreeSet<>();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(1000);
            byte[] query = query(name);
            socket.send(new DatagramPacket(query, query.length, server));
            byte[] answer = new byte[1500];
            DatagramPacket p = new DatagramPacket(answer, answer.length);
            socket.receive(p);
            ByteBuffer r = ByteBuffer.wrap(answer, 0, p.getLength());
            r.position(6);
            int answers = r.getShort() & 0xffff;
            r.position(12);
            skipName(r);
            r.position(r.position() + 4); // question type and class
            for (int i = 0; i < answers; i++) {
                skipName(r);
                int type = r.getShort() & 0xffff;
                r.position(r.position() + 6); // class, TTL
                int length = r.getShort() & 0xffff;
                byte[] data = new byte[length];
                r.get(data);
                if (type == 1 && length == 4) {
                    found.add(InetAddress.getByAddress(data).getHostAddress());
                }
            }
        } catch (IOException | RuntimeException e) {
            found.clear();
        }
        return found;
    }

    private static byte[] query(String name) {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        int id = ThreadLocalRandom.current().nextInt(65_536);
        q.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            q.write(b.length);
            q.writeBytes(b);
        }
        q.writeBytes(new byte[] {0, 0, 1, 0, 1}); // root, type A, class IN
        return q.toByteArray();
    }

    private static void skipName(ByteBuffer r) {
        for (int len = r.get() & 0xff; len != 0; len = r.get() & 0xff) {
            if ((len & 0xc0) == 0xc0) { // a pointer ends the name
                r.get();
                return;
            }
            r.position(r.position() + len);
        }
    }
}
