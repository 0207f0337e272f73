package hostproxy.upstream;

import hostproxy.config.Balancing;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Picks one of the healthy addresses of a name. */
@FunctionalInterface
interface Balancer {
    /** @param healthy not empty; @param cursor this name's own turn counter */
    Endpoint pick(List<Endpoint> healthy, AtomicInteger cursor);

    static Balancer of(Balancing balancing) {
        return switch (balancing) {
            case ROUND_ROBIN -> Balancer::roundRobin;
            case LEAST_REQUESTS -> Balancer::leastRequests;
        };
    }

    private static Endpoint roundRobin(List<Endpoint> healthy, AtomicInteger cursor) {
        return healthy.get(Math.floorMod(cursor.getAndIncrement(), healthy.size()));
    }

    /** Power of two choices: nearly as good as the least loaded of all, without scanning or locking. */
    private static Endpoint leastRequests(List<Endpoint> healthy, AtomicInteger cursor) {
        int n = healthy.size();
        if (n == 1) {
            return healthy.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        Endpoint a = healthy.get(i);
        Endpoint b = healthy.get(j >= i ? j + 1 : j);
        return b.inFlight() < a.inFlight() ? b : a;
    }
}
