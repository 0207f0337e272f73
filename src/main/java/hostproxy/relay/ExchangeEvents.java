package hostproxy.relay;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.io.IOException;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * What the client's side ({@link ClientResponse}, {@link ClientRequestBody}), the container
 * ({@link AsyncListener}) and the idle watch tell of one exchange, each translated into one of its
 * {@link Ending}s. A timeout or an error from the container is the client gone; a completion the
 * exchange did not ask for is the container ending it (it stopped, or the connection failed).
 *
 * <p>The idle rule: a client that kept the exchange waiting for {@code clientIdleTimeout} while
 * the proxy waited on its upload, before any answer, gets {@code 408} (RFC 9110 §15.5.9) and its
 * connection closed; one that stopped reading its response has its connection dropped. The
 * backend's side ends either way.
 */
final class ExchangeEvents implements ClientResponse.Events, ClientRequestBody.Events, AsyncListener,
        ClientIdleWatch.Watched {
    private static final Logger LOG = Logger.getLogger(ExchangeEvents.class.getName());
    private final RelayedExchange exchange;
    private final ClientWait wait;
    private final ClientIdleWatch idleWatch;
    private final String backendName;

    ExchangeEvents(RelayedExchange exchange, ClientWait wait, ClientIdleWatch idleWatch, String backendName) {
        this.exchange = exchange;
        this.wait = wait;
        this.idleWatch = idleWatch;
        this.backendName = backendName;
    }

    // ---- the response's way

    @Override
    public void completed() {
        exchange.end(new Ending.Complete());
    }

    @Override
    public void clientGone(Throwable cause) {
        exchange.end(new Ending.ClientGone(cause));
    }

    @Override
    public void brokenOff(long bytesReceived, Throwable cause) {
        String message = "backend " + backendName + " broke off the response after " + bytesReceived
                + " body bytes; aborting the client connection (" + cause + ")";
        LOG.warning(() -> exchange + ": " + message);
        exchange.end(new Ending.Drop("aborted", message));
    }

    // ---- the request body's way

    @Override
    public void bodyKnown(boolean empty) {
        exchange.bodyKnown(empty);
    }

    /**
     * A body that broke off gets {@code 400} while no response has begun, else the connection is
     * dropped: a client that is still there (it sent less than it declared, or bad chunked framing)
     * never sees a clean response that looks like the backend's answer; one that left loses nothing.
     */
    @Override
    public void bodyFailed(Throwable cause) {
        LOG.fine(() -> exchange + ": the request body broke off: " + cause);
        exchange.end(new Ending.Fail(new ProxyError(400, "the request body broke off")));
    }

    @Override
    public void tooLarge(long limit) {
        exchange.end(new Ending.Fail(BodyLimit.tooLarge(limit)));
    }

    // ---- the idle watch

    @Override
    public ClientWait clientWait() {
        return wait;
    }

    @Override
    public void clientIdle(Duration idle) {
        ExchangePhase now = exchange.phase();
        if (now == ExchangePhase.OVER) {
            return;
        }
        boolean upload = wait.onRequestBody() && now != ExchangePhase.ANSWERING;
        String what = "the client " + (upload ? "sent none of its request body" : "took none of its response")
                + " for " + idle.toSeconds() + " s (clientIdleTimeout)";
        LOG.fine(() -> exchange + ": " + what + "; cut off");
        if (!upload) {
            exchange.end(new Ending.Drop("client_timeout", what));
            return;
        }
        wait.readProgressed(); // from now on, the wait is for the 408 to be taken
        exchange.end(new Ending.Fail(ProxyError.requestBodyTimeout())); // or a dropped connection
        if (exchange.phase() != ExchangePhase.OVER) {
            idleWatch.watch(this); // a client that takes none of the 408 either is cut off in turn
        }
    }

    // ---- the container

    @Override
    public void onComplete(AsyncEvent event) {
        exchange.containerEnded();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        exchange.end(new Ending.ClientGone(new IOException("asynchronous timeout")));
    }

    @Override
    public void onError(AsyncEvent event) {
        exchange.end(new Ending.ClientGone(event.getThrowable()));
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }
}
