package hostproxy.upstream;

import hostproxy.config.BackendNetworks;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * One backend name and what is known of it: its addresses as DNS last gave them (less those
 * {@code backendNetworks} refuses), their health, and whether DNS is answering.
 */
public final class Backend {
    private static final Logger LOG = Logger.getLogger(Backend.class.getName());

    private final String name;
    private final Balancer balancer;
    /** The active health check of this name's addresses, or {@code null} when they are not checked. */
    private final HealthCheck healthCheck;
    /** What this name's addresses must be in ({@code backendNetworks}), or {@code null}: not checked. */
    private final BackendNetworks networks;
    private final ReentrantLock checkLock = new ReentrantLock();
    private final Condition checkDone = checkLock.newCondition();
    /** When DNS last answered for this name (epoch milliseconds, 0: never) and what it said. */
    private volatile long lastLookupMillis;
    private volatile String lastLookupResult = "pending";
    private final AtomicInteger cursor = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));
    final CompletableFuture<Void> firstResolution = new CompletableFuture<>();
    final AtomicBoolean resolving = new AtomicBoolean();
    private volatile List<Endpoint> endpoints = List.of();
    /** Addresses DNS gave last that {@link #networks} does not allow: not among the endpoints. */
    private volatile RefusedAddresses refused = RefusedAddresses.NONE;
    private volatile boolean notFound;
    private volatile String dnsTrouble;
    /** Until when a negative or failed first answer stands before the name is asked again. */
    private volatile long retryAfterNanos;
    private volatile long lastUsedNanos;
    private final AtomicLong lastForcedLookupNanos = new AtomicLong();

    Backend(String name, Balancer balancer, long nowNanos) {
        this(name, balancer, null, nowNanos);
    }

    Backend(String name, Balancer balancer, HealthCheck healthCheck, long nowNanos) {
        this(name, balancer, healthCheck, null, nowNanos);
    }

    /** @param networks what its addresses must be in, or {@code null} when they are not checked */
    Backend(String name, Balancer balancer, HealthCheck healthCheck, BackendNetworks networks, long nowNanos) {
        this.name = name;
        this.balancer = balancer;
        this.healthCheck = healthCheck;
        this.networks = networks;
        this.lastUsedNanos = nowNanos;
    }

    public String name() {
        return name;
    }

    /** What its addresses must be in, or {@code null} when they are not checked. */
    BackendNetworks networks() {
        return networks;
    }

    /**
     * This name with its addresses as DNS last gave them (those refused by backendNetworks too),
     * checked by {@code check} from now on: new endpoints, ready at once without a check, not
     * before one passed with it. {@code null} while the first lookup is under way (its answer goes
     * to this one).
     */
    Backend checkedBy(HealthCheck check, long nowNanos) {
        if (!firstResolution.isDone()) {
            return null;
        }
        Backend b = new Backend(name, balancer, check, networks, nowNanos);
        synchronized (this) {
            b.endpoints = endpoints.stream().map(e -> new Endpoint(e.address(), check != null)).toList();
            b.notFound = notFound;
            b.refused = refused;
            b.dnsTrouble = dnsTrouble;
            b.retryAfterNanos = retryAfterNanos;
            b.lastLookupMillis = lastLookupMillis;
            b.lastLookupResult = lastLookupResult;
        }
        b.lastUsedNanos = lastUsedNanos;
        b.firstResolution.complete(null);
        return b;
    }

    HealthCheck healthCheck() {
        return healthCheck;
    }

    /** A health check of one of this name's addresses finished: wakes requests waiting for the first. */
    void checkFinished() {
        checkLock.lock();
        try {
            checkDone.signalAll();
        } finally {
            checkLock.unlock();
        }
    }

    /**
     * Waits, at most {@code boundNanos}, until an address is ready or every address has been
     * checked once. Returns at once when checks are off or an address is ready.
     *
     * @return whether an address is ready
     */
    boolean awaitReady(long boundNanos) throws InterruptedException {
        if (healthCheck == null || anyReady()) {
            return true;
        }
        long deadline = System.nanoTime() + boundNanos;
        checkLock.lock();
        try {
            while (!anyReady() && !endpoints.stream().allMatch(Endpoint::checkedOnce)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                checkDone.awaitNanos(left);
            }
        } finally {
            checkLock.unlock();
        }
        return anyReady();
    }

    private boolean anyReady() {
        for (Endpoint e : endpoints) {
            if (e.isReady()) {
                return true;
            }
        }
        return false;
    }

    List<Endpoint> endpoints() {
        return endpoints;
    }

    boolean notFound() {
        return notFound;
    }

    /** The addresses of DNS's last answer that {@code backendNetworks} refused. */
    RefusedAddresses refused() {
        return refused;
    }

    String dnsTrouble() {
        return dnsTrouble;
    }

    /** At most one forced lookup per name per {@code minimumGap}, however many requests find it down. */
    boolean mayForceLookup(long nowNanos, long minimumGapNanos) {
        long last = lastForcedLookupNanos.get();
        return (last == 0 || nowNanos - last >= minimumGapNanos) && lastForcedLookupNanos.compareAndSet(last, nowNanos);
    }

    void touch(long nowNanos) {
        lastUsedNanos = nowNanos;
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    /** A name DNS denied, or never answered for, is asked again after a short while, not at once. */
    boolean isStale(long nowNanos) {
        boolean unresolved = notFound || (endpoints.isEmpty() && dnsTrouble != null);
        return unresolved && firstResolution.isDone() && nowNanos - retryAfterNanos >= 0;
    }

    /**
     * The address for the next attempt: a healthy one by the balancer, else, when every untried
     * address is down, the one down longest rather than none.
     *
     * @param tried addresses this request has already tried
     * @return {@code null} when every address has been tried
     */
    public Endpoint pick(Set<Endpoint> tried, long nowNanos) {
        return pick(tried, nowNanos, null);
    }

    /**
     * As {@link #pick(Set, long)}, preferring {@code pinned} (a sticky session's address) while it
     * is a current address of this name, untried and up.
     */
    public Endpoint pick(Set<Endpoint> tried, long nowNanos, Endpoint pinned) {
        if (pinned != null && !tried.contains(pinned) && pinned.isReady() && pinned.isUp(nowNanos)
                && endpoints.contains(pinned)) {
            return pinned;
        }
        List<Endpoint> all = endpoints;
        List<Endpoint> untried = new ArrayList<>(all.size());
        List<Endpoint> healthy = new ArrayList<>(all.size());
        for (Endpoint e : all) {
            if (!tried.contains(e) && e.isReady()) { // active checks: no traffic before one passed
                untried.add(e);
                if (e.isUp(nowNanos)) {
                    healthy.add(e);
                }
            }
        }
        if (!healthy.isEmpty()) {
            return balancer.pick(healthy, cursor);
        }
        return untried.stream().min(Comparator.comparingLong(Endpoint::downSinceNanos)).orElse(null);
    }

    /**
     * Takes in what DNS said. Addresses still present keep their health and in-flight count; new
     * ones join; departed ones are retired.
     *
     * @return whether an address left (its idle connections should be closed)
     */
    synchronized boolean apply(Resolution resolution, long nowNanos, long negativeTtlNanos) {
        boolean departed = false;
        if (resolution instanceof Resolution.Found found) {
            Map<InetAddress, Endpoint> known = new HashMap<>();
            for (Endpoint e : endpoints) {
                known.put(e.address(), e);
            }
            RefusedAddresses nowRefused = RefusedAddresses.among(found.addresses(), networks);
            List<Endpoint> next = new ArrayList<>(found.addresses().size());
            for (InetAddress a : found.addresses()) {
                if (nowRefused.contains(a)) {
                    continue; // as if DNS had not given it: never connected to, never health-checked
                }
                Endpoint e = known.remove(a);
                next.add(e != null ? e : new Endpoint(a, healthCheck != null));
            }
            if (!nowRefused.sameAs(refused)) {
                logRefused(nowRefused, next.isEmpty());
            }
            if (!nowRefused.isEmpty()) {
                // refused ones are set before the endpoints change, and none after: a request that reads
                // both in between never finds neither (which would read as a DNS failure)
                refused = nowRefused;
            }
            known.values().forEach(Endpoint::retire);
            departed = !known.isEmpty();
            if (departed || next.size() != endpoints.size()) {
                LOG.info(() -> "backend " + name + " now has addresses " + addresses(next));
            }
            if (dnsTrouble != null && !endpoints.isEmpty()) {
                LOG.info(() -> "DNS answers again for backend " + name);
            }
            endpoints = List.copyOf(next);
            refused = nowRefused;
            notFound = false;
            dnsTrouble = null;
            lastLookupResult = (next.size() == 1 ? "1 address" : next.size() + " addresses")
                    + (nowRefused.isEmpty() ? "" : ", " + nowRefused.addresses().size() + " refused by "
                    + nowRefused.setting());
        } else if (resolution instanceof Resolution.NotFound) {
            if (!endpoints.isEmpty()) {
                LOG.info(() -> "backend " + name + " is no longer in DNS");
                endpoints.forEach(Endpoint::retire);
                departed = true;
            }
            endpoints = List.of();
            refused = RefusedAddresses.NONE;
            notFound = true;
            dnsTrouble = null;
            lastLookupResult = "not found";
            retryAfterNanos = nowNanos + negativeTtlNanos;
        } else if (resolution instanceof Resolution.Failed failed) {
            if (dnsTrouble == null) { // once per outage, not per lookup
                LOG.warning(() -> "DNS lookup for backend " + name + " failed (" + failed.reason() + "); "
                        + (endpoints.isEmpty() ? "no address known yet" : "keeping its last known addresses "
                        + addresses(endpoints)));
            }
            dnsTrouble = failed.reason();
            lastLookupResult = "failed: " + failed.reason();
            retryAfterNanos = nowNanos + negativeTtlNanos;
        }
        lastLookupMillis = System.currentTimeMillis();
        firstResolution.complete(null);
        return departed;
    }

    /** Once per change of the refused addresses, not per lookup or request. */
    private void logRefused(RefusedAddresses nowRefused, boolean noneLeft) {
        if (nowRefused.isEmpty()) {
            LOG.info(() -> "backend " + name + ": " + refused.setting() + " refuses none of its addresses any more");
        } else if (noneLeft) {
            LOG.warning(() -> nowRefused.reason(name) + ": requests for it get 502 until DNS gives it another address");
        } else {
            LOG.warning(() -> "backend " + name + ": DNS also gives " + nowRefused.listed() + ", which "
                    + nowRefused.setting() + " does not allow: only its other addresses are used");
        }
    }

    /** A read-only view for the admin port. */
    BackendStatus status() {
        List<BackendStatus.Address> addresses = new ArrayList<>();
        for (Endpoint e : endpoints) {
            String detail = e.readiness() != Endpoint.Readiness.READY ? e.lastCheck() : e.lastFailure();
            addresses.add(new BackendStatus.Address(e.address().getHostAddress(), e.state(), e.inFlight(),
                    detail));
        }
        RefusedAddresses r = refused;
        for (InetAddress a : r.addresses()) {
            String range = RefusedAddresses.range(a);
            addresses.add(new BackendStatus.Address(a.getHostAddress(), BackendStatus.REFUSED, 0,
                    "not allowed by " + r.setting() + (range == null ? "" : ": " + range)));
        }
        return new BackendStatus(name, List.copyOf(addresses), lastLookupMillis, lastLookupResult);
    }

    /**
     * Whether active health checks have every address of this name out, so that a request gets
     * {@code 503} with {@code Retry-After} at once. Hook for the active health checks (branch
     * admin): passive health alone never says so, since the last-resort try of the address down
     * longest is worth more than a refusal.
     */
    public boolean everyAddressOutByActiveHealth() {
        return healthCheck != null && !anyReady();
    }

    /** For logs and a status page: {@code api: 10.0.1.7 up, 0 in flight; 10.0.1.8 down 4s more (...)}. */
    String describe(long nowNanos) {
        if (notFound) {
            return name + ": not in DNS";
        }
        StringBuilder s = new StringBuilder(name).append(':');
        for (Endpoint e : endpoints) {
            s.append(' ').append(e.describe(nowNanos)).append(';');
        }
        if (!refused.isEmpty()) {
            s.append(" refused (").append(refused.setting()).append("): ").append(refused.listed()).append(';');
        }
        if (dnsTrouble != null) {
            s.append(" DNS failing: ").append(dnsTrouble);
        }
        return s.toString();
    }

    private static List<String> addresses(List<Endpoint> endpoints) {
        return endpoints.stream().map(e -> e.address().getHostAddress()).toList();
    }
}
