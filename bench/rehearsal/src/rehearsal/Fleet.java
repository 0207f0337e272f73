package rehearsal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The backend replicas: a process each, on an address of its own, published in DNS by service
 * name. Every change is written to the fault journal with its time, for the report to attribute
 * failures: {@code add}, {@code drain-dns} (out of DNS), {@code drain-term} (SIGTERM),
 * {@code drain-exit}, {@code kill} (SIGKILL), {@code kill-dns}, {@code hang}, {@code health-fail},
 * {@code health-pass}.
 */
final class Fleet implements AutoCloseable {
    /** A replica process. */
    final class Member {
        final String name;
        final String service;
        final String address;
        final Process process;
        private final PrintWriter commands;
        volatile boolean inDns;
        volatile boolean hung;
        volatile boolean flapping;
        volatile boolean leaving;

        Member(String name, String service, String address, Process process) {
            this.name = name;
            this.service = service;
            this.address = address;
            this.process = process;
            this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        /** In DNS, answering, and not the one whose health flaps: what the service can count on. */
        boolean good() {
            return inDns && !hung && !flapping && !leaving && process.isAlive();
        }

        void command(String line) {
            commands.println(line);
        }

        @Override
        public String toString() {
            return name + "@" + address;
        }
    }

    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final Dns dns;
    private final Journal faults;
    private final String java;
    private final String classpath;
    private final Path logs;
    private final int port;
    private final long dnsRefreshMillis;
    private int next = 1;

    /** @param classpath the replicas' (the driver's own: its classes, and grpc-java for the gRPC replicas) */
    Fleet(Dns dns, Journal faults, String java, String classpath, Path logs, int port, long dnsRefreshMillis) {
        this.dns = dns;
        this.faults = faults;
        this.java = java;
        this.classpath = classpath;
        this.logs = logs;
        this.port = port;
        this.dnsRefreshMillis = dnsRefreshMillis;
    }

    /**
     * Starts a replica of {@code service} on a new address, waits for it to listen, then publishes it in DNS.
     * Role {@code grpc}: a {@link GrpcReplica}; any other: a {@link Replica} of that role.
     */
    Member add(String service, String role) throws IOException, InterruptedException {
        Member m = start(service, role);
        m.inDns = true;
        publish(service);
        fault("add", m);
        return m;
    }

    private Member start(String service, String role) throws IOException, InterruptedException {
        int n;
        synchronized (this) {
            n = next++;
        }
        // 127.1.0.1, 127.1.0.2 ...: every replica of the run has an address of its own (a replaced one a new one)
        int network = switch (service) {
            case "app" -> 1;
            case "slow" -> 2;
            case "broken" -> 3;
            default -> 4;
        };
        String address = "127." + network + "." + (n / 250) + "." + (n % 250 + 1);
        String name = service + "-" + n;
        List<String> command = new ArrayList<>(List.of(java, "-Xmx96m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath));
        command.addAll(role.equals("grpc") ? List.of("rehearsal.GrpcReplica", name, address, Integer.toString(port))
                : List.of("rehearsal.Replica", name, address, Integer.toString(port), role));
        Process p = new ProcessBuilder(command).redirectError(logs.resolve(name + ".err").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String ready = readLine(out, 30);
        if (ready == null || !ready.startsWith("READY")) {
            p.destroyForcibly();
            throw new IOException("replica " + name + " did not start (see " + logs.resolve(name + ".err") + ")");
        }
        Thread rest = new Thread(() -> out.lines().forEach(l -> faults.write("t", System.currentTimeMillis(), "event", "says", "replica", name, "text", l)), name + "-out");
        rest.setDaemon(true);
        rest.start();
        Member m = new Member(name, service, address, p);
        members.add(m);
        return m;
    }

    private static String readLine(BufferedReader in, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!in.ready()) {
            if (System.nanoTime() > deadline) {
                return null;
            }
            Thread.sleep(20);
        }
        return in.readLine();
    }

    private void publish(String service) throws IOException, InterruptedException {
        List<String> addresses = new ArrayList<>();
        for (Member m : members) {
            if (m.service.equals(service) && m.inDns) {
                addresses.add(m.address);
            }
        }
        dns.set(service, addresses);
    }

    /**
     * A drain as an orchestrator does it: out of DNS first, then, once the proxy has seen that
     * (its DNS refresh and a margin), SIGTERM; the replica ends its streams cleanly and finishes
     * what is in flight. Returns when it has exited (at most 70 s after SIGTERM).
     */
    void drain(Member m) throws IOException, InterruptedException {
        m.leaving = true;
        m.inDns = false;
        publish(m.service);
        fault("drain-dns", m);
        Thread.sleep(dnsRefreshMillis + 3_000);
        // SIGTERM through the handle: Process.destroy() would also close the pipes, and a replica
        // whose standard input closes exits at once (it takes that for the driver's end).
        m.process.toHandle().destroy();
        fault("drain-term", m);
        if (!m.process.waitFor(70, TimeUnit.SECONDS)) {
            m.process.destroyForcibly();
            fault("drain-overdue", m);
        }
        faults.write("t", System.currentTimeMillis(), "event", "drain-exit", "service", m.service, "replica", m.name,
                "address", m.address, "exit", m.process.exitValue());
        faults.flush();
        members.remove(m);
    }

    /** SIGKILL, whatever it is doing; a second later it leaves DNS, as a dead container does. */
    void kill(Member m) throws IOException, InterruptedException {
        m.leaving = true;
        m.process.destroyForcibly();
        fault("kill", m);
        m.process.waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(1_000);
        m.inDns = false;
        publish(m.service);
        fault("kill-dns", m);
        members.remove(m);
    }

    /** From now on it reads requests and answers none, health checks included; its streams fall silent. */
    void hang(Member m) {
        m.hung = true;
        m.command("hang");
        fault("hang", m);
    }

    void health(Member m, boolean pass) {
        m.command(pass ? "health pass" : "health fail");
        fault(pass ? "health-pass" : "health-fail", m);
    }

    List<Member> members(String service) {
        return members.stream().filter(m -> m.service.equals(service)).toList();
    }

    List<Member> good(String service) {
        return members.stream().filter(m -> m.service.equals(service) && m.good()).toList();
    }

    private void fault(String event, Member m) {
        faults.write("t", System.currentTimeMillis(), "event", event, "service", m.service, "replica", m.name, "address", m.address);
        faults.flush();
    }

    /** Every replica still running is killed: nothing outlives the run. */
    @Override
    public void close() {
        for (Member m : members) {
            m.process.destroyForcibly();
        }
    }
}
