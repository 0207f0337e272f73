package rehearsal;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The faults of a busy phase, on the service {@code app}:
 * <ul>
 * <li>every {@code stepMillis}, in turn: a replica added; one drained (out of DNS, then SIGTERM);
 *     one replaced (a new one on a new address, the old one drained); never fewer than two good
 *     replicas are left;</li>
 * <li>the flapping replica's health check fails and passes in turns of 15 s;</li>
 * <li>at 40 % of the phase a good replica is killed with SIGKILL, streams and all, and replaced;</li>
 * <li>at 60 % a new replica takes traffic for 8 s, then hangs: it reads requests and answers none
 *     (health checks included); 20 s later it is killed, and leaves DNS, as a dead container.</li>
 * </ul>
 * And on the service {@code grpc} (no health checks: a gRPC server answers a plain GET with an error):
 * <ul>
 * <li>every 45 s a replica replaced (a new one added, an old one drained:
 *     GOAWAY, its calls under way finished);</li>
 * <li>at 30 % of the phase a replica killed with SIGKILL, calls and all, after its replacement was added.</li>
 * </ul>
 * Drains run beside the schedule (each takes the proxy's DNS refresh and the replica's exit).
 */
final class Churn {
    private static final int MIN_GOOD = 2;
    private static final int MAX_REPLICAS = 6;
    private static final long GRPC_REPLACE_MILLIS = 45_000;
    private final Fleet fleet;
    private final long stepMillis;
    private ExecutorService drains;
    private Thread schedule;
    private volatile boolean running;

    Churn(Fleet fleet, long stepMillis) {
        this.fleet = fleet;
        this.stepMillis = stepMillis;
    }

    void start(long phaseMillis) {
        running = true;
        drains = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "drain");
            t.setDaemon(true);
            return t;
        });
        schedule = new Thread(() -> run(phaseMillis), "churn");
        schedule.setDaemon(true);
        schedule.start();
    }

    private void run(long phaseMillis) {
        long begin = System.currentTimeMillis();
        long killAt = begin + phaseMillis * 4 / 10;
        long hangAt = begin + phaseMillis * 6 / 10;
        long grpcKillAt = begin + phaseMillis * 3 / 10;
        long nextGrpcReplace = begin + GRPC_REPLACE_MILLIS;
        long nextStep = begin + stepMillis;
        long nextFlap = begin + 15_000;
        boolean flapFailing = false;
        int turn = 0;
        try {
            while (running) {
                long now = System.currentTimeMillis();
                if (now >= killAt) {
                    killAt = Long.MAX_VALUE;
                    killOne();
                } else if (now >= hangAt) {
                    hangAt = Long.MAX_VALUE;
                    hangOne();
                } else if (now >= grpcKillAt) {
                    grpcKillAt = Long.MAX_VALUE;
                    killGrpc();
                } else if (now >= nextGrpcReplace) {
                    nextGrpcReplace = now + GRPC_REPLACE_MILLIS;
                    replaceGrpc();
                } else if (now >= nextFlap) {
                    nextFlap = now + 15_000;
                    flapFailing = !flapFailing;
                    for (Fleet.Member m : fleet.members("app")) {
                        if (m.flapping) {
                            fleet.health(m, !flapFailing);
                        }
                    }
                } else if (now >= nextStep) {
                    nextStep = now + stepMillis;
                    step(turn++ % 3);
                } else {
                    Thread.sleep(100);
                }
            }
            if (flapFailing) {
                for (Fleet.Member m : fleet.members("app")) {
                    if (m.flapping) {
                        fleet.health(m, true);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("churn: " + e);
            e.printStackTrace();
        }
    }

    private void step(int kind) throws Exception {
        List<Fleet.Member> good = fleet.good("app");
        int replicas = fleet.members("app").size();
        if (kind == 0 && replicas < MAX_REPLICAS) {
            fleet.add("app", "normal");
        } else if (kind == 1 && good.size() > MIN_GOOD + 1) {
            drainLater(pick(good));
        } else if (kind == 2 && replicas < MAX_REPLICAS && !good.isEmpty()) {
            Fleet.Member old = pick(good);
            fleet.add("app", "normal");
            drainLater(old);
        }
    }

    private void killOne() throws Exception {
        List<Fleet.Member> good = fleet.good("app");
        if (good.size() > MIN_GOOD) {
            fleet.add("app", "normal"); // the replacement first: the service never drops under two
            fleet.kill(pick(fleet.good("app")));
        }
    }

    /** A new gRPC replica, then one of the others killed with SIGKILL (the new one would have no calls yet). */
    private void killGrpc() throws Exception {
        Fleet.Member replacement = fleet.add("grpc", "grpc");
        List<Fleet.Member> others = fleet.good("grpc").stream().filter(m -> m != replacement).toList();
        if (!others.isEmpty()) {
            fleet.kill(pick(others));
        }
    }

    private void replaceGrpc() throws Exception {
        List<Fleet.Member> old = fleet.good("grpc");
        fleet.add("grpc", "grpc");
        if (!old.isEmpty()) {
            drainLater(pick(old));
        }
    }

    private void hangOne() throws Exception {
        Fleet.Member m = fleet.add("app", "normal");
        Thread.sleep(8_000); // its first health checks pass: it takes traffic
        fleet.hang(m);
        drains.execute(() -> {
            try {
                Thread.sleep(20_000);
                fleet.kill(m); // a dead container: killed, then out of DNS
            } catch (Exception e) {
                System.err.println("churn: " + e);
            }
        });
    }

    private void drainLater(Fleet.Member m) {
        m.leaving = true;
        drains.execute(() -> {
            try {
                fleet.drain(m);
            } catch (Exception e) {
                System.err.println("churn: drain of " + m + ": " + e);
            }
        });
    }

    private static Fleet.Member pick(List<Fleet.Member> members) {
        return members.get(ThreadLocalRandom.current().nextInt(members.size()));
    }

    /** Ends the phase's faults; returns once every drain and kill under way has finished (within 120 s). */
    void stop() throws InterruptedException {
        running = false;
        if (schedule != null) {
            schedule.join(60_000);
        }
        drains.shutdown();
        drains.awaitTermination(120, TimeUnit.SECONDS);
    }
}
