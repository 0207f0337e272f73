package hostproxy.relay;

import hostproxy.container.EarlyHints;
import hostproxy.routing.Route;
import hostproxy.upstream.Backend;
import hostproxy.upstream.Endpoint;
import hostproxy.upstream.Upstreams;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;

/**
 * One exchange relayed without holding a thread, as a state machine ({@link ExchangePhase}). The client's
 * side ({@link ClientRequestBody}, {@link ClientResponse}), the backend's ({@link BackendCall}), the
 * container and the idle watch ({@link ExchangeEvents}) report what happens; each report either
 * moves the exchange on (the next attempt, the response) or is translated into an {@link Ending},
 * which {@link #end} carries out in one place.
 */
final class RelayedExchange implements BackendCall.Receiver {
    private static final Logger LOG = Logger.getLogger(RelayedExchange.class.getName());

    private final CloseableHttpAsyncClient client;
    private final Upstreams upstreams;
    private final Exchange exchange;
    private final Route route;
    private final Backend backend;
    private final ExchangeHooks hooks;
    private final ExchangeOutcome outcome;
    private final HttpServletRequest servletRequest;
    private final HttpServletResponse servletResponse;
    private final AtomicReference<ExchangePhase> phase = new AtomicReference<>(ExchangePhase.SETTING_UP);
    private final ClientWait clientWait = new ClientWait();
    private final ClientIdleWatch idleWatch;
    private final ExchangeEvents events;
    private final ServletGate gate = new ServletGate();
    private final ResponseTrailers trailers = new ResponseTrailers();
    private final ResponseRoom room = new ResponseRoom();
    private final boolean listenerRunsOnSetter;
    private volatile OutboundRequest request;
    private HandBack handBack;
    private ClientResponse response;
    private ClientRequestBody body;
    private volatile Attempts attempts;
    private volatile BackendCall current;
    /** The kind of the error answered, counted when it completes. */
    private volatile String failure;

    RelayedExchange(CloseableHttpAsyncClient client, Upstreams upstreams, ClientIdleWatch idleWatch, Exchange exchange,
            Route route, Backend backend, OutboundRequest request, ExchangeHooks hooks, ExchangeOutcome outcome,
            HttpServletRequest servletRequest, HttpServletResponse servletResponse, boolean listenerRunsOnSetter) {
        this.client = client;
        this.idleWatch = idleWatch;
        this.upstreams = upstreams;
        this.exchange = exchange;
        this.route = route;
        this.backend = backend;
        this.request = request;
        this.hooks = hooks;
        this.outcome = outcome;
        this.servletRequest = servletRequest;
        this.servletResponse = servletResponse;
        this.listenerRunsOnSetter = listenerRunsOnSetter;
        this.events = new ExchangeEvents(this, clientWait, idleWatch, route.backendName());
    }

    ExchangePhase phase() {
        return phase.get();
    }

    /** As the log names an exchange ({@code #42 GET /v1 [req 3f9a…]}), so that its events' lines do too. */
    @Override
    public String toString() {
        return exchange.toString();
    }

    // ---- setting up, and the attempts

    /** Goes asynchronous and sends the first attempt; the container's thread returns at once. */
    void start() throws IOException {
        // Other threads' callbacks (the body's, the idle watch's) wait at the gate until all is set
        // up. The first attempt goes out after: a fast backend's answer then finds the gate open,
        // instead of parking its I/O thread until this container thread has left.
        boolean attemptNow;
        gate.enter();
        try {
            attemptNow = setUp();
        } finally {
            gate.leave();
        }
        if (attemptNow) {
            firstAttempt();
        }
    }

    /** @return whether the first attempt may go now (else the first read of the body starts it) */
    private boolean setUp() throws IOException {
        AsyncContext async = servletRequest.startAsync();
        // The relay keeps its own timeouts; the container's (Tomcat: 30 s) would cut streams. Not 0
        // (none): Tomcat's shutdown then waits for such a request without end.
        async.setTimeout(Relay.ASYNC_TIMEOUT.toMillis());
        async.addListener(events);
        handBack = new HandBack(gate, async, servletRequest, exchange);
        idleWatch.watch(events);
        response = new ClientResponse(servletResponse, gate, events, clientWait, room);
        ClientBody clientBody = request.body();
        response.open(listenerRunsOnSetter && clientBody == null && !servletRequest.getProtocol().startsWith("HTTP/2"));
        if (clientBody != null) {
            body = new ClientRequestBody(clientBody, gate, events, clientWait);
            body.listen();
            if (clientBody.mayBeEmpty()) {
                return false; // the first read tells whether there is a body; bodyKnown() goes on
            }
        }
        return true;
    }

    /** Known from the body's first read: whether an HTTP/2 body without length is empty after all. */
    void bodyKnown(boolean empty) {
        if (request.body() == null || !request.body().mayBeEmpty() || phase.get() != ExchangePhase.SETTING_UP) {
            return;
        }
        if (empty) {
            request = request.withoutBody();
        }
        firstAttempt();
    }

    private void firstAttempt() {
        if (phase.compareAndSet(ExchangePhase.SETTING_UP, ExchangePhase.ATTEMPTING)) { // not if answered meanwhile (a body refused)
            attempts = new Attempts(upstreams, backend, request, hooks.pinned(backend), exchange.trace());
            nextAttempt();
        }
    }

    private void nextAttempt() {
        if (phase.get() != ExchangePhase.ATTEMPTING) {
            return; // the client left, or its body was refused
        }
        Endpoint endpoint = attempts.next();
        if (endpoint == null) {
            end(new Ending.Fail(BackendFailures.classify(attempts.lastFailure(), route.backendName())));
            return;
        }
        endpoint.begin();
        BackendCall call = new BackendCall(upstreams, endpoint, this, room);
        current = call;
        Future<Void> started;
        try {
            started = client.execute(
                    BackendRequest.producer(route.target(), endpoint, request,
                            request.body() == null ? null : body.producer(call), call),
                    call, null, BackendRequest.context(hooks.context(), endpoint, call, request), call);
        } catch (IllegalStateException closed) { // CancellationException too: the client is shut down, hostproxy stopping
            call.release();
            end(new Ending.Fail(ProxyError.unavailable("hostproxy is stopping", 5)));
            return;
        }
        call.started(started);
        if (phase.get() == ExchangePhase.OVER) {
            call.drop(); // the client left meanwhile: nobody will read it
        }
    }

    /** Whether what the backend sends still goes anywhere: not once answered instead, nor once over. */
    private boolean relaying() {
        return phase.get().relaying();
    }

    // ---- the backend's side

    @Override
    public void informational(BackendCall call, HttpResponse interim) {
        if (interim.getCode() == 103 && gate.enter()) {
            try {
                EarlyHints.send(servletResponse, interim.getHeaders());
            } finally {
                gate.leave();
            }
        }
    }

    @Override
    public void head(BackendCall call, HttpResponse head, EntityDetails entity) {
        attempts.succeeded(call.endpoint());
        if (!phase.compareAndSet(ExchangePhase.ATTEMPTING, ExchangePhase.RESPONDING)) {
            call.drop(); // answered already (a body over the limit), or the client left: it goes nowhere
            return;
        }
        List<HeaderField> all = hooks.toClient(HeaderPolicy.toClient(HeaderField.all(head.getHeaders())), backend,
                call.endpoint());
        List<HeaderField> fields = entity == null ? trailers.trailersOnly(servletRequest, all) : all;
        noteGrpcStatus(all);
        long length = entity == null ? 0 : entity.getContentLength();
        response.headReady(length, () -> {
            servletResponse.setStatus(head.getCode());
            ResponseFields.set(servletResponse, fields);
            trailers.declare(servletRequest, servletResponse, length);
        });
    }

    @Override
    public void data(BackendCall call, ByteBuffer src) {
        if (!relaying()) {
            src.position(src.limit());
            call.drop(); // unread, it would hold its pooled connection once its window is used up
            return;
        }
        clientWait.responseFlowed();
        response.offer(src);
    }

    @Override
    public void end(BackendCall call, List<? extends Header> trailerFields) {
        if (phase.get() == ExchangePhase.RESPONDING) {
            List<HeaderField> fields = HeaderPolicy.trailers(HeaderField.all(trailerFields.toArray(Header[]::new)));
            trailers.arrived(fields);
            noteGrpcStatus(fields);
            response.end();
        }
    }

    /** A gRPC call's status, in the backend's trailers or (Trailers-Only) its head, for metrics and the access log. */
    private void noteGrpcStatus(List<HeaderField> fields) {
        for (HeaderField f : fields) {
            if (f.name().equalsIgnoreCase("grpc-status")) {
                exchange.trace().grpcStatus(f.value());
            }
        }
    }

    @Override
    public void failed(BackendCall call, Exception cause) {
        call.release();
        if (!relaying()) {
            return; // the exchange ended, or is answered, for a reason of its own
        }
        IOException e = BackendFailures.asIOException(cause, call.headSeen());
        if (call.headSeen()) {
            end(new Ending.Fail(BackendFailures.classify(e, route.backendName()), e));
        } else if (e instanceof InterruptedIOException && body != null && !body.sent() && clientWait.onRequestBody()) {
            // The backend's connection went quiet because the client stopped sending its body: the
            // client's fault, not the backend's (the backend's socket timeout counts while it waits too).
            end(new Ending.Fail(ProxyError.requestBodyTimeout()));
        } else if (attempts.failed(call.endpoint(), e)) {
            String address = call.endpoint().address().getHostAddress();
            LOG.fine(() -> exchange + ": " + address + " failed (" + e + "); trying again");
            nextAttempt();
        } else {
            end(new Ending.Fail(BackendFailures.classify(e, route.backendName())));
        }
    }

    /** The container ended the exchange itself ({@code onComplete}: it stopped, or the connection failed). */
    void containerEnded() {
        if (conclude(null, () -> { })) {
            stopBackend();
        }
        gate.shut(); // the container recycles the exchange's objects once this returns
    }

    // ---- the end

    /**
     * Ends the exchange, the one way every report above takes. A failure is answered with its error,
     * or the connection dropped ({@link #answerOrDrop} decides). The backend's side is stopped after
     * the answer is in place, so that its call, failing as it is cut off, finds the exchange answered.
     */
    void end(Ending ending) {
        if (ending instanceof Ending.Complete) {
            conclude(failure, handBack::complete);
        } else if (ending instanceof Ending.ClientGone gone) {
            if (conclude(null, handBack::complete)) { // else over already: a container tells of one failure several ways
                LOG.fine(() -> exchange + ": client went away: " + gone.cause());
                stopBackend();
            }
        } else if (ending instanceof Ending.Fail fail) {
            boolean drop = answerOrDrop(fail);
            stopBackend();
            if (drop) {
                conclude(fail.error().kind(), () -> handBack.abort(fail.error().reason()));
            }
        } else if (ending instanceof Ending.Drop drop) {
            stopBackend();
            conclude(drop.kind(), () -> handBack.abort(drop.reason()));
        }
    }

    /**
     * The one place that decides between answering and dropping the connection. While none of the
     * backend's response has reached the container, the client is answered with the error, through
     * the same non-blocking path as a response. After, an error text would make a cut-off body look
     * whole: the connection is dropped, at once, or (the backend broke off) once what the backend
     * sent has gone out ({@link ClientResponse#backendFailed}, then {@code brokenOff}).
     *
     * @return whether to drop the connection now
     */
    private boolean answerOrDrop(Ending.Fail fail) {
        if (!gate.enter()) {
            return false; // over for the container
        }
        try {
            ExchangePhase now = phase.get();
            if (!now.relaying()) {
                return false; // over, or answered already
            }
            if (response.begun() || servletResponse.isCommitted()) {
                if (fail.brokeOff() != null) {
                    response.backendFailed(fail.brokeOff());
                    return false;
                }
                return phase.compareAndSet(now, ExchangePhase.ANSWERING);
            }
            if (phase.compareAndSet(now, ExchangePhase.ANSWERING)) {
                failure = fail.error().kind();
                response.answerInstead(outcome.errorAnswer(fail.error()));
            }
            return false;
        } finally {
            gate.leave();
        }
    }

    /**
     * Ends the backend's side: the attempt is dropped with its connection. While the request body
     * is still going out, its producer also cuts it off: it fails on the I/O thread if a connection
     * still asks it for bytes, which closes that connection with no last chunk.
     */
    private void stopBackend() {
        if (body != null) {
            body.stop();
        }
        BackendCall call = current;
        if (call != null) {
            call.drop();
        }
    }

    /**
     * Ends the exchange, once: counts it and hands it back to the container ({@code handBack}:
     * complete, or abort), both in one hold of the gate. In two, a container thread ending the
     * exchange meanwhile could wait at the gate in {@code onComplete} while holding the lock that
     * {@code complete()} or {@code dispatch()} needs (Tomcat's async state machine).
     *
     * @return true for the one caller that ends the exchange; everyone else leaves it alone
     */
    private boolean conclude(String kind, Runnable handBack) {
        if (!gate.enter()) {
            return false; // the container ended it, and counted it through onComplete
        }
        try {
            if (phase.getAndSet(ExchangePhase.OVER) == ExchangePhase.OVER) {
                return false;
            }
            idleWatch.unwatch(events);
            response.stop();
            try {
                outcome.ended(kind);
            } catch (RuntimeException e) { // never at the cost of handing the exchange back
                LOG.log(Level.WARNING, exchange + ": counting the exchange failed", e);
            }
            handBack.run();
            return true;
        } finally {
            gate.leave();
        }
    }
}
