package hostproxy.upstream;

import hostproxy.config.BackendTarget;
import hostproxy.config.ProxyConfig;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every backend name in use and its addresses, kept fresh by one background scheduler: each name
 * is resolved again every {@code dnsRefresh} (whatever the records' TTL), and at once when a
 * request has found every known address of it down. A request never waits for DNS once its name
 * is known.
 */
public final class Upstreams implements AutoCloseable {
    /** How long "no such name" stands before the name is asked again: a flood of bad names cannot flood DNS. */
    static final Duration NEGATIVE_TTL = Duration.ofSeconds(1);
    /** A name no request has used for this long is forgotten. */
    static final Duration FORGET_AFTER = Duration.ofMinutes(5);
    /** At most this many names are tracked, so that random names cannot grow memory without bound. */
    static final int MAX_NAMES = 10_000;
    private static final Logger LOG = Logger.getLogger(Upstreams.class.getName());

    private final NameResolver resolver;
    private final Balancer balancer;
    private final Runnable closeIdleConnections;
    private final Duration lookupBound;
    private final ConcurrentHashMap<String, Backend> backends = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    /** The active health check of each name, as the route table in force says; changed by {@link #routesChanged}. */
    private volatile Function<String, HealthCheck> healthChecks;
    /** Which names' addresses are checked against backendNetworks; changed by {@link #routesChanged}. */
    private final AddressGuard guard;
    /** Held while a name is tracked and while the routes change, so that no new name escapes a change. */
    private final ReentrantLock checksChange = new ReentrantLock();
    private final HealthChecker checker;
    private final Duration healthCheckTimeout;
    private final LongAdder lookups = new LongAdder();
    private final LongAdder lookupFailures = new LongAdder();
    private volatile Thread refreshThread;

    /**
     * @param closeIdleConnections closes idle pooled connections, run when an address leaves DNS
     * @param healthChecks         the active health check of a backend name, or {@code null} for none
     *                             (until {@link #healthChecks} changes it)
     */
    public Upstreams(ProxyConfig config, Runnable closeIdleConnections, Function<String, HealthCheck> healthChecks) {
        this(new DnsNameResolver(config.dnsServers(), config.dnsTimeout()), config, closeIdleConnections, healthChecks);
    }

    Upstreams(NameResolver resolver, ProxyConfig config, Runnable closeIdleConnections) {
        this(resolver, config, closeIdleConnections, name -> null);
    }

    Upstreams(NameResolver resolver, ProxyConfig config, Runnable closeIdleConnections,
            Function<String, HealthCheck> healthChecks) {
        this.healthChecks = healthChecks;
        this.guard = new AddressGuard(config);
        this.healthCheckTimeout = config.healthCheckTimeout();
        // always there, also when nothing is checked at start: a reload may add checks (its threads
        // start with the first check and end when there is none left)
        this.checker = new HealthChecker(config.healthCheckInterval(), config.healthCheckTimeout(),
                config.healthCheckFall(), config.healthCheckRise());
        this.resolver = resolver;
        this.balancer = Balancer.of(config.balancer());
        this.closeIdleConnections = closeIdleConnections;
        // each server is asked twice at most (ExtendedResolver retries once)
        int servers = Math.max(1, config.dnsServers().size());
        this.lookupBound = config.dnsTimeout().multipliedBy(2L * servers).plusSeconds(1);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hostproxy-dns-refresh");
            t.setDaemon(true);
            refreshThread = t;
            return t;
        });
        long period = config.dnsRefresh().toMillis();
        scheduler.scheduleWithFixedDelay(this::refreshAll, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * The backend of this name, resolving it first if it is new (the only time a request waits for DNS).
     *
     * @throws UnknownHostException       DNS says the name does not exist (remembered for a second)
     * @throws BackendUnresolvedException DNS gave no usable answer and no address is known
     * @throws AddressNotAllowedException every address DNS gave is outside {@code backendNetworks}
     * @throws NoReadyAddressException    health checks are on and no address has passed one (a name
     *                                    none of whose addresses was checked yet waits for the first
     *                                    check, at most {@code healthCheckTimeout})
     */
    public Backend backend(String name) throws UnknownHostException, BackendUnresolvedException,
            AddressNotAllowedException, NoReadyAddressException {
        long now = System.nanoTime();
        Backend backend = backends.get(name);
        if (backend == null || backend.isStale(now)) {
            backend = track(name, now);
        }
        backend.touch(now);
        try {
            backend.firstResolution.get(lookupBound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new BackendUnresolvedException(name, "DNS did not answer within " + lookupBound.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendUnresolvedException(name, "interrupted");
        } catch (ExecutionException e) {
            throw new BackendUnresolvedException(name, e.getCause().toString());
        }
        if (backend.notFound()) {
            throw new UnknownHostException(name);
        }
        if (backend.endpoints().isEmpty() && !backend.refused().isEmpty()) {
            throw new AddressNotAllowedException(backend.refused().reason(name));
        }
        if (backend.endpoints().isEmpty()) {
            throw new BackendUnresolvedException(name, String.valueOf(backend.dnsTrouble()));
        }
        try {
            if (!backend.awaitReady(healthCheckTimeout.toNanos())) {
                throw new NoReadyAddressException(name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoReadyAddressException(name);
        }
        return backend;
    }

    private Backend track(String name, long now) throws BackendUnresolvedException {
        if (backends.size() >= MAX_NAMES) {
            forgetStale(now);
            if (backends.size() >= MAX_NAMES) {
                throw new BackendUnresolvedException(name, "too many distinct backend names in use (" + MAX_NAMES + ")");
            }
        }
        Backend tracked;
        Backend fresh;
        checksChange.lock();
        try {
            fresh = new Backend(name, balancer, healthChecks.apply(name), guard.networksOf(name), now);
            tracked = backends.compute(name, (k, old) -> old == null || old.isStale(now) ? fresh : old);
        } finally {
            checksChange.unlock();
        }
        if (tracked == fresh) {
            resolve(fresh);
        }
        return tracked;
    }

    /** Resolves the name unless a lookup of it is already under way. */
    private void resolve(Backend backend) {
        if (!backend.resolving.compareAndSet(false, true)) {
            return;
        }
        resolver.resolve(backend.name()).whenComplete((resolution, failure) -> {
            backend.resolving.set(false);
            apply(backend, failure != null ? new Resolution.Failed(failure.toString()) : resolution);
        });
    }

    /** Takes in a DNS answer: counts it, closes idle connections of departed addresses, checks new ones. */
    private void apply(Backend backend, Resolution r) {
        lookups.increment();
        if (r instanceof Resolution.Failed) {
            lookupFailures.increment();
        }
        if (backend.apply(r, System.nanoTime(), NEGATIVE_TTL.toNanos())) {
            closeIdleConnections.run();
        }
        checksChange.lock();
        try {
            // a name replaced meanwhile (its check changed) is answered for the exchanges that
            // still hold it, but never checked again
            if (backends.get(backend.name()) == backend) {
                checker.sync(backend);
            }
        } finally {
            checksChange.unlock();
        }
    }

    /**
     * The route table changed: from now on each name is health-checked as {@code checks} says, and
     * the hosts {@code targets} name are the ones whose addresses backendNetworks does not check. A
     * known name whose check changed (started, stopped, or another path, scheme or port) is replaced
     * by a fresh one with the same addresses, checked anew from now (with a check, its addresses take
     * traffic once one passed); one whose address check changed, or one not yet resolved, is
     * forgotten and tracked anew (DNS asked again) by its next request. Exchanges under way keep
     * the one they have.
     */
    public void routesChanged(Function<String, HealthCheck> checks, Collection<BackendTarget> targets) {
        checksChange.lock();
        try {
            healthChecks = checks;
            guard.routesChanged(targets);
            for (Backend old : backends.values()) {
                HealthCheck check = checks.apply(old.name());
                boolean guardChanged = guard.networksOf(old.name()) != old.networks();
                if (!guardChanged && Objects.equals(check, old.healthCheck())) {
                    continue;
                }
                Backend fresh = guardChanged ? null : old.checkedBy(check, System.nanoTime());
                boolean replaced = fresh == null ? backends.remove(old.name(), old) : backends.replace(old.name(), old, fresh);
                if (replaced) {
                    checker.forget(old);
                    if (fresh != null) {
                        checker.sync(fresh);
                    }
                }
            }
        } finally {
            checksChange.unlock();
        }
    }

    /**
     * Every address of the backend failed to connect: asks DNS again now, waiting at most one
     * lookup, in case the service moved.
     *
     * @return whether the backend now has an address this request has not tried
     */
    public boolean refreshNow(Backend backend) {
        List<Endpoint> before = backend.endpoints();
        if (!backend.mayForceLookup(System.nanoTime(), NEGATIVE_TTL.toNanos())) {
            return false;
        }
        try {
            Resolution r = resolver.resolve(backend.name()).toCompletableFuture()
                    .get(lookupBound.toMillis(), TimeUnit.MILLISECONDS);
            apply(backend, r);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return backend.endpoints().stream().anyMatch(e -> !before.contains(e));
    }

    /** A connection to this address could not be made: it is down for a while. */
    public void connectFailed(Backend backend, Endpoint endpoint, String why) {
        if (endpoint.connectFailed(System.nanoTime(), why)) {
            LOG.info(() -> "backend " + backend.name() + " address " + endpoint.address().getHostAddress()
                    + " is down: " + why);
        }
    }

    /** An exchange with this address got its response: a down address is up again. */
    public void succeeded(Backend backend, Endpoint endpoint) {
        if (endpoint.succeeded()) {
            LOG.info(() -> "backend " + backend.name() + " address " + endpoint.address().getHostAddress()
                    + " is up again");
        }
    }

    /** An exchange with this address is over; a retired address's connection is closed now that it is idle. */
    public void finished(Endpoint endpoint) {
        if (endpoint.end()) {
            closeIdleConnections.run();
        }
    }

    /** The state of every known name, one line each, for logs and a status page. */
    public List<String> status() {
        long now = System.nanoTime();
        return backends.values().stream().sorted(Comparator.comparing(Backend::name))
                .map(b -> b.describe(now)).toList();
    }

    /** Every known name with its addresses and their state, sorted by name: for the admin port. */
    public List<BackendStatus> snapshot() {
        return backends.values().stream().sorted(Comparator.comparing(Backend::name))
                .map(Backend::status).toList();
    }

    /** DNS answers taken in so far (first lookups, refreshes and forced lookups). */
    public long lookups() {
        return lookups.sum();
    }

    /** Lookups that got no usable answer (server unreachable, timeout, SERVFAIL). */
    public long lookupFailures() {
        return lookupFailures.sum();
    }

    /** Health checks that passed, and that failed, so far. */
    public long healthChecksPassed() {
        return checker.passed();
    }

    public long healthChecksFailed() {
        return checker.failed();
    }

    private void refreshAll() {
        try {
            long now = System.nanoTime();
            forgetStale(now);
            for (Backend backend : backends.values()) {
                if (!backend.notFound()) {
                    resolve(backend);
                }
            }
            if (LOG.isLoggable(Level.FINE)) {
                status().forEach(line -> LOG.fine(line));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "refreshing backend addresses failed", e); // and the next round runs anyway
        }
    }

    /** Drops names denied by DNS whose answer has expired, and names no request has used for a while. */
    private void forgetStale(long now) {
        boolean departed = false;
        for (Backend b : backends.values()) {
            boolean unused = now - b.lastUsedNanos() > FORGET_AFTER.toNanos();
            if ((unused || b.isStale(now)) && backends.remove(b.name(), b)) {
                b.endpoints().forEach(Endpoint::retire);
                departed |= !b.endpoints().isEmpty();
                checker.forget(b);
            }
        }
        if (departed) {
            closeIdleConnections.run();
        }
    }

    /**
     * Stops the refresh and joins its thread (bounded): an executor reports itself terminated while
     * its last thread is still finishing, which the container's leak detection, run right after
     * the application stops, would report as a thread left behind.
     */
    @Override
    public void close() {
        checker.close();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            Thread thread = refreshThread;
            if (thread != null) {
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resolver.close();
    }
}
