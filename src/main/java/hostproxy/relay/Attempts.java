package hostproxy.relay;

import hostproxy.upstream.AddressNotAllowedException;
import hostproxy.upstream.Backend;
import hostproxy.upstream.Endpoint;
import hostproxy.upstream.NoReadyAddressException;
import hostproxy.upstream.Upstreams;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Where the attempts of one request go, and whether another may follow a failure:
 * <ul>
 *   <li>a connect failure marks the address down and moves on: nothing was sent, so any method
 *       may go again;</li>
 *   <li>an idempotent request with an empty body goes again once when a connection fails before
 *       any response byte, to another address if there is one;</li>
 *   <li>when every known address has refused, the name is looked up again once, in case the
 *       service moved.</li>
 * </ul>
 * The relay and the tunnels' handshake both go by these rules, so that a request and a WebSocket
 * handshake are retried, traced, logged and counted alike.
 */
public final class Attempts {
    private final Upstreams upstreams;
    private final Backend backend;
    private final boolean replayable;
    private final Trace trace;
    private final Set<Endpoint> tried = new HashSet<>();
    private boolean lookedUpAgain;
    private boolean resendUsed;
    private Endpoint resendTo;
    private IOException lastFailure;
    /** A sticky session's address: the first attempt goes there while it is up, and so does a resend. */
    private final Endpoint sticky;
    private Endpoint pinned;

    /**
     * The backend a route's attempts go to, noted in the trace once DNS knows it.
     *
     * @throws ProxyError the name cannot be served at all (unknown, refused by {@code backendNetworks},
     *                    every address out by active health checks): no attempt is made
     */
    public static Backend backendOf(Upstreams upstreams, String name, Trace trace) throws ProxyError {
        Backend backend;
        try {
            backend = upstreams.backend(name);
        } catch (AddressNotAllowedException e) {
            trace.resolved(name); // DNS knew it: counted under its name
            throw BackendFailures.classify(e, name);
        } catch (IOException e) {
            throw BackendFailures.classify(e, name);
        }
        if (backend.everyAddressOutByActiveHealth()) {
            throw ProxyError.unavailable("backend " + name + " has no healthy address", 5);
        }
        return backend;
    }

    public Attempts(Upstreams upstreams, Backend backend, OutboundRequest request, Endpoint pinned, Trace trace) {
        this.upstreams = upstreams;
        this.backend = backend;
        this.replayable = request.isReplayable();
        this.sticky = pinned;
        this.pinned = pinned;
        this.trace = trace;
        trace.resolved(backend.name());
    }

    /** The address for the next attempt, or {@code null} when there is none left. */
    public Endpoint next() {
        Endpoint next = resendTo != null && resendTo == sticky ? resendTo : backend.pick(tried, System.nanoTime(), pinned);
        pinned = null;
        if (next == null && resendTo != null) {
            next = resendTo; // a single address: the resend goes to it, on a new connection
        } else if (next == null && !lookedUpAgain && BackendFailures.isConnectFailure(lastFailure)) {
            lookedUpAgain = true;
            if (upstreams.refreshNow(backend)) {
                next = backend.pick(tried, System.nanoTime());
            }
        }
        resendTo = null;
        if (next != null) {
            tried.add(next);
            trace.attempt(next);
        }
        return next;
    }

    /**
     * An attempt failed before any response byte arrived.
     *
     * @return whether the request may be sent again
     */
    public boolean failed(Endpoint endpoint, IOException cause) {
        lastFailure = cause;
        if (BackendFailures.isConnectFailure(cause)) {
            upstreams.connectFailed(backend, endpoint, cause.getMessage());
            trace.retried();
            return true;
        }
        if (!resendUsed && replayable && BackendFailures.failedBeforeResponse(cause)) {
            resendUsed = true;
            resendTo = endpoint;
            trace.retried();
            return true;
        }
        return false;
    }

    /** The backend's response head arrived: a down address is up again. */
    public void succeeded(Endpoint endpoint) {
        trace.responded();
        upstreams.succeeded(backend, endpoint);
    }

    /** Why the last attempt failed, once {@link #next()} has no address left. */
    public IOException lastFailure() {
        // no attempt at all: health checks took every address out since the name was looked up
        return lastFailure != null ? lastFailure : NoReadyAddressException.of(backend.name());
    }
}
