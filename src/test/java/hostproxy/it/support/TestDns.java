package hostproxy.it.support;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A real DNS server on 127.0.0.1, over UDP and TCP, built on dnsjava's wire classes: its records
 * change while a test runs, it counts the queries it gets, it can answer SERVFAIL or go silent.
 * Answers carry TTL 600, as Docker's embedded DNS does, so that a resolver honouring TTLs would
 * visibly go stale.
 */
public final class TestDns implements AutoCloseable {
    private static final long TTL = 600;
    private final int port;
    private final Map<String, List<InetAddress>> records = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private volatile boolean servfail;
    private volatile DatagramSocket udp;
    private volatile ServerSocket tcp;
    private volatile Thread udpServer;
    private volatile Thread tcpServer;

    private TestDns(int port) throws IOException {
        this.port = port;
        bind();
    }

    /** Starts on a free port that UDP and TCP both have. */
    public static TestDns start() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                port = probe.getLocalPort();
            }
            try {
                return new TestDns(port);
            } catch (IOException taken) {
                // the TCP port was taken: try another
            }
        }
        throw new IOException("no free port for a test DNS server");
    }

    /** The setting value naming this server: {@code 127.0.0.1:<port>}. */
    public String server() {
        return "127.0.0.1:" + port;
    }

    /** Replaces the name's addresses (A and AAAA alike). */
    public TestDns set(String name, String... addresses) throws IOException {
        InetAddress[] parsed = new InetAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            parsed[i] = InetAddress.getByName(addresses[i]);
        }
        records.put(key(name), List.of(parsed));
        return this;
    }

    public void remove(String name) {
        records.remove(key(name));
    }

    public void servfail(boolean on) {
        servfail = on;
    }

    /** How many queries of this type (e.g. {@code Type.A}) were asked for the name. */
    public int queries(String name, int type) {
        AtomicInteger n = queries.get(key(name) + "/" + Type.string(type));
        return n == null ? 0 : n.get();
    }

    public Map<String, AtomicInteger> queryCounts() {
        return queries;
    }

    public int totalQueries() {
        return total.get();
    }

    /**
     * Goes silent: once this returns, nothing listens on the port any more. A thread blocked in
     * receive() or accept() keeps its socket alive until it wakes (and may take one more query):
     * both are waited for, so that no query is answered afterwards and {@link #restart()} can bind.
     */
    public void stop() throws IOException {
        udp.close();
        tcp.close();
        try {
            udpServer.join(10_000);
            tcpServer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (udpServer.isAlive() || tcpServer.isAlive()) {
            throw new IOException("the test DNS server's threads did not stop within 10 s");
        }
    }

    /** Listens again, on the same port. */
    public void restart() throws IOException {
        bind();
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    private void bind() throws IOException {
        DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
        ServerSocket t = new ServerSocket();
        try {
            t.setReuseAddress(true);
            t.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            u.close();
            throw e;
        }
        udp = u;
        tcp = t;
        udpServer = daemon("test-dns-udp", () -> serveUdp(u));
        tcpServer = daemon("test-dns-tcp", () -> serveTcp(t));
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void serveUdp(DatagramSocket socket) {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                byte[] answer = answer(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a malformed query: go on while open
            }
        }
    }

    private void serveTcp(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                if (server.isClosed()) {
                    return; // accepted while stopping: a stopped server answers nothing
                }
                s.setSoTimeout(5_000); // a client that sends nothing holds stop() up for 5 s at most
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                byte[] answer = answer(query);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            } catch (IOException e) {
                // closed, or a client that went away
            }
        }
    }

    private byte[] answer(byte[] wire) throws IOException {
        Message query = new Message(wire);
        Record question = query.getQuestion();
        String name = key(question.getName().toString(true));
        total.incrementAndGet();
        queries.computeIfAbsent(name + "/" + Type.string(question.getType()), k -> new AtomicInteger()).incrementAndGet();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.addRecord(question, Section.QUESTION);
        List<InetAddress> addresses = records.get(name);
        if (servfail) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
        } else if (addresses == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
            for (InetAddress a : addresses) {
                if (question.getType() == Type.A && a instanceof Inet4Address) {
                    response.addRecord(new ARecord(question.getName(), DClass.IN, TTL, a), Section.ANSWER);
                } else if (question.getType() == Type.AAAA && a instanceof Inet6Address) {
                    response.addRecord(new AAAARecord(question.getName(), DClass.IN, TTL, a), Section.ANSWER);
                }
            }
        }
        return response.toWire();
    }

    private static String key(String name) {
        String n = name.toLowerCase();
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
