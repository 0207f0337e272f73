package hostproxy.relay;

import hostproxy.config.BackendTarget;
import hostproxy.routing.Route;
import hostproxy.upstream.Backend;
import hostproxy.upstream.Endpoint;
import hostproxy.upstream.Upstreams;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.impl.ConnectionShutdownException;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;

/**
 * One exchange relayed without holding a thread: the client's side ({@link ClientRequestBody},
 * {@link ClientResponse}) and the backend's ({@link BackendCall}) each call it as their I/O
 * happens, and it decides what follows: the next attempt, the response, an error answer, or the end.
 */
final class RelayedExchange implements BackendCall.Receiver, ClientResponse.Ending, ClientRequestBody.Events,
        AsyncListener, ClientIdleWatch.Watched {
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
    private final AtomicBoolean over = new AtomicBoolean();
    private final ClientWait clientWait = new ClientWait();
    private final ClientIdleWatch idleWatch;
    private final ServletGate gate = new ServletGate();
    private final boolean listenerRunsOnSetter;
    private volatile OutboundRequest request;
    private AsyncContext async;
    private ClientResponse response;
    private ClientRequestBody body;
    private volatile Attempts attempts;
    private volatile BackendCall current;
    private volatile String failure;
    /** An error answer is on its way: no attempt follows. */
    private volatile boolean answered;

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
    }

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
        async = servletRequest.startAsync();
        // The relay keeps its own timeouts; the container's (Tomcat: 30 s) would cut streams. Not 0
        // (none): Tomcat's shutdown then waits for such a request without end.
        async.setTimeout(Relay.ASYNC_TIMEOUT.toMillis());
        async.addListener(this);
        idleWatch.watch(this);
        response = new ClientResponse(servletResponse, gate, this, clientWait);
        response.onRoom(this::room);
        ClientBody clientBody = request.body();
        response.open(listenerRunsOnSetter && clientBody == null && !servletRequest.getProtocol().startsWith("HTTP/2"));
        if (clientBody != null) {
            body = new ClientRequestBody(clientBody, gate, this, clientWait);
            body.listen();
            if (clientBody.mayBeEmpty()) {
                return false; // the first read tells whether there is a body; bodyKnown() goes on
            }
        }
        return true;
    }

    @Override
    public void bodyKnown(boolean empty) {
        if (request.body() == null || !request.body().mayBeEmpty() || attempts != null) {
            return;
        }
        if (empty) {
            request = request.withoutBody();
        }
        firstAttempt();
    }

    private void firstAttempt() {
        attempts = new Attempts(upstreams, backend, request, hooks.pinned(backend), exchange.trace());
        nextAttempt();
    }

    private void nextAttempt() {
        if (over.get() || answered) {
            return; // the client left, or its body was refused
        }
        Endpoint endpoint = attempts.next();
        if (endpoint == null) {
            answer(BackendFailures.classify(attempts.lastFailure(), route.backendName()));
            return;
        }
        endpoint.begin();
        BackendCall call = new BackendCall(endpoint, this);
        current = call;
        BackendTarget target = route.target();
        HttpHost host = new HttpHost(target.scheme(), endpoint.address(), target.host(), target.port());
        BasicHttpRequest out = new BasicHttpRequest(request.method(), host, target.basePath() + request.rawTarget());
        boolean userAgent = false;
        for (HeaderField h : request.headers()) {
            out.addHeader(h.name(), h.value());
            userAgent |= h.name().equalsIgnoreCase("User-Agent");
        }
        HttpClientContext context = hooks.context();
        if (context == null) {
            context = HttpClientContext.create();
        }
        AddressedRoutes.address(context, endpoint.address());
        context.setAttribute(BackendCall.CONTEXT, call);
        if (!userAgent) {
            context.setAttribute(UpstreamClient.NO_USER_AGENT, Boolean.TRUE);
        }
        BasicRequestProducer producer = new BasicRequestProducer(out,
                request.body() == null ? null : body.producer());
        Future<Void> started;
        try {
            started = client.execute(producer, call, null, context, call);
        } catch (IllegalStateException closed) { // CancellationException too: the client is shut down, hostproxy stopping
            released(call);
            answer(ProxyError.unavailable("hostproxy is stopping", 5));
            return;
        }
        call.started(started);
        if (over.get()) {
            drop(call); // the client left meanwhile
        }
    }

    /** Drops an attempt that outlived its exchange, with its connection: nobody will read it. */
    private void drop(BackendCall call) {
        call.cancel();
        released(call);
    }

    private void room(int bytes) {
        BackendCall call = current;
        if (call != null) {
            call.room(bytes);
        }
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
        if (answered || over.get()) {
            drop(call); // answered already (a body over the limit), or the client left: it goes nowhere
            return;
        }
        List<HeaderField> fields = hooks.toClient(HeaderPolicy.toClient(fields(head.getHeaders())), backend,
                call.endpoint());
        response.headReady(entity == null ? 0 : entity.getContentLength(), () -> {
            servletResponse.setStatus(head.getCode());
            ResponseFields.set(servletResponse, fields);
        });
    }

    @Override
    public void data(BackendCall call, ByteBuffer src) {
        if (answered || over.get()) {
            src.position(src.limit());
            drop(call); // unread, it would hold its pooled connection once its window is used up
            return;
        }
        response.offer(src);
    }

    @Override
    public void end(BackendCall call) {
        if (!answered) {
            response.end();
        }
    }

    @Override
    public void failed(BackendCall call, Exception cause) {
        released(call);
        if (over.get() || answered) {
            return; // the exchange ended, or is answered, for a reason of its own
        }
        IOException e = asIOException(cause, call.headSeen());
        if (call.headSeen()) {
            response.backendFailed(e);
            return;
        }
        if (e instanceof InterruptedIOException && body != null && !body.sent() && clientWait.onRequestBody()) {
            // The backend's connection went quiet because the client stopped sending its body: the
            // client's fault, not the backend's (the backend's socket timeout counts while it waits too).
            answer(bodyTooSlow());
            stopBackend();
            return;
        }
        if (attempts.failed(call.endpoint(), e)) {
            String address = call.endpoint().address().getHostAddress();
            LOG.fine(() -> exchange + ": " + address + " failed (" + e + "); trying again");
            nextAttempt();
            return;
        }
        answer(BackendFailures.classify(e, route.backendName()));
    }

    /**
     * The attempt is over for its address, once: counted only when the client has pooled (or closed)
     * its connection, so that an address that left DNS meanwhile has its idle connections closed then,
     * this one included. (A failure, or dropping the attempt, counts at once.)
     */
    @Override
    public void released(BackendCall call) {
        if (call.release()) {
            upstreams.finished(call.endpoint());
        }
    }

    /** The exceptions of HttpCore's non-blocking side, as the failure taxonomy of {@link BackendFailures} knows them. */
    private static IOException asIOException(Exception cause, boolean headSeen) {
        if (!headSeen && (cause instanceof ConnectionClosedException || cause instanceof ConnectionShutdownException)) {
            return new NoHttpResponseException("the backend closed the connection before answering");
        }
        if (cause instanceof IOException io) {
            return io;
        }
        if (!headSeen && cause instanceof HttpException && String.valueOf(cause.getMessage()).startsWith("Unexpected response")) {
            // HttpCore found bytes after the end of the previous response on this pooled connection and
            // closed it: the fault is the earlier exchange's, and this request may go again.
            LOG.warning("a backend sent bytes after the end of its response; its connection is closed, not reused");
            return new NoHttpResponseException("the backend's connection carried bytes of an earlier response");
        }
        if (cause instanceof HttpException protocol) {
            return new ClientProtocolException(protocol.getMessage(), protocol);
        }
        if (cause instanceof TimeoutException) { // no pooled connection came free in time
            return new ConnectionRequestTimeoutException(cause.getMessage());
        }
        return new IOException(cause);
    }

    // ---- the client's side

    @Override
    public void completed() {
        conclude(failure, this::complete);
    }

    @Override
    public void clientGone(Throwable cause) {
        if (!conclude(null, this::complete)) {
            return; // over already: the container may tell of one failure several ways
        }
        LOG.fine(() -> exchange + ": client went away: " + cause);
        stopBackend();
    }

    /**
     * A body that broke off gets {@code 400} while no response has begun, else the connection is
     * dropped: a client that is still there (it sent less than it declared, or bad chunked framing)
     * never sees a clean response that looks like the backend's answer; one that left loses nothing.
     */
    @Override
    public void bodyFailed(Throwable cause) {
        LOG.fine(() -> exchange + ": the request body broke off: " + cause);
        // Answered first, so that the backend call failing as it is cut off finds the exchange answered.
        answer(new ProxyError(400, "the request body broke off"));
        stopBackend();
    }

    @Override
    public void tooLarge(long limit) {
        answer(BodyLimit.tooLarge(limit)); // first, as above
        stopBackend();
    }

    @Override
    public void brokenOff(long bytesReceived, Throwable cause) {
        String message = "backend " + route.backendName() + " broke off the response after " + bytesReceived
                + " body bytes; aborting the client connection (" + cause + ")";
        LOG.warning(() -> exchange + ": " + message);
        stopBackend();
        conclude("aborted", () -> abortClient(message));
    }

    @Override
    public void failedBeforeCommit(Throwable cause) {
        answer(BackendFailures.classify(asIOException(cause instanceof Exception e ? e : new IOException(cause), true),
                route.backendName()));
    }

    /** Answers with an error, through the same non-blocking path as a response. */
    private void answer(ProxyError error) {
        if (!gate.enter()) {
            return; // over for the container
        }
        try {
            answerInside(error);
        } finally {
            gate.leave();
        }
    }

    private void answerInside(ProxyError error) {
        if (over.get() || answered) {
            return;
        }
        answered = true;
        failure = error.kind();
        if (response.begun() || servletResponse.isCommitted()) {
            // Part of the backend's response went out: too late for another one, and an error text
            // after it would make a cut-off body look whole. The connection is dropped instead.
            stopBackend();
            conclude(error.kind(), () -> abortClient(error.reason()));
            return;
        }
        response.answerInstead(outcome.errorAnswer(error));
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
            drop(call);
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
            if (!over.compareAndSet(false, true)) {
                return false;
            }
            idleWatch.unwatch(this);
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

    /** Completes the servlet's exchange: the container finishes the response. */
    private void complete() {
        handBack(async::complete);
    }

    /**
     * Drops the client's connection: the servlet throws the reason on a container thread
     * ({@link Relay#ABORTED}), which makes the container close it.
     */
    private void abortClient(String why) {
        handBack(() -> {
            servletRequest.setAttribute(Relay.ABORTED, new ResponseAbortedException(why));
            async.dispatch(Relay.DISPATCH_PATH);
        });
    }

    /**
     * Gives the exchange back to the container ({@code complete()} or {@code dispatch()}), unless it
     * is completing it already (an error it saw); from then on its servlet objects are the container's.
     */
    private void handBack(Runnable toContainer) {
        if (!gate.enter()) {
            return;
        }
        try {
            toContainer.run();
        } catch (IllegalStateException completing) {
            LOG.fine(() -> exchange + ": the container completed the exchange itself: " + completing.getMessage());
        } finally {
            gate.shut();
            gate.leave();
        }
    }

    @Override
    public ClientWait clientWait() {
        return clientWait;
    }

    /**
     * The client kept this exchange waiting for {@code clientIdleTimeout}. One that stalls its
     * upload before any response gets {@code 408} (RFC 9110 §15.5.9) and its connection closed; one
     * that stops reading its response has its connection dropped. The backend's side ends either way.
     */
    @Override
    public void clientIdle(Duration idle) {
        if (over.get()) {
            return;
        }
        boolean upload = clientWait.onRequestBody() && !answered;
        String what = upload ? "sent none of its request body" : "took none of its response";
        LOG.fine(() -> exchange + ": the client " + what + " for " + idle.toSeconds() + " s (clientIdleTimeout); cut off");
        if (upload) {
            clientWait.readProgressed(); // from now on, the wait is for the 408 to be taken
            answer(bodyTooSlow()); // or a dropped connection
            stopBackend();
            if (!over.get()) {
                idleWatch.watch(this); // a client that takes none of the 408 either is cut off in turn
            }
            return;
        }
        stopBackend();
        conclude("client_timeout",
                () -> abortClient("the client " + what + " for " + idle.toSeconds() + " s (clientIdleTimeout)"));
    }

    @Override
    public void onComplete(AsyncEvent event) {
        if (conclude(null, () -> { })) { // completed by the container (it stopped, or the connection failed)
            stopBackend();
        }
        gate.shut(); // the container recycles the exchange's objects once this returns
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        clientGone(new IOException("asynchronous timeout"));
    }

    @Override
    public void onError(AsyncEvent event) {
        clientGone(event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }

    /** {@code 408} (RFC 9110 §15.5.9): the client kept its request body waiting. */
    private static ProxyError bodyTooSlow() {
        return new ProxyError(408, "the request body did not arrive in time");
    }

    private static List<HeaderField> fields(Header[] headers) {
        List<HeaderField> fields = new ArrayList<>(headers.length);
        for (Header h : headers) {
            fields.add(new HeaderField(h.getName(), h.getValue()));
        }
        return fields;
    }
}
