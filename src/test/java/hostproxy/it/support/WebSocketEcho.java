package hostproxy.it.support;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A real WebSocket server as a backend: Jetty 12.1's core WebSocket server (no servlet API, so it
 * runs beside any container's classes), on a loopback address. {@code /echo} sends every text and
 * binary message back whole; the text {@code close:CODE:REASON} makes it close with that code and
 * reason, {@code die} makes it drop the TCP connection without a close frame. It accepts the
 * subprotocol {@code chat} when offered, and records the close code and reason each client sent.
 */
public final class WebSocketEcho implements AutoCloseable {
    /** The close status and reason a client's close frame carried, as the backend saw them. */
    public record Closed(int code, String reason) {
    }

    private final Server server;
    private final BlockingQueue<Closed> closes = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> handshakeHeaders = new LinkedBlockingQueue<>();

    private WebSocketEcho(String address, int port) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(address);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(4L << 20);
            container.setMaxBinaryMessageSize(4L << 20);
            container.setIdleTimeout(Duration.ofMinutes(2));
            container.addMapping("/echo", (request, response, callback) -> {
                handshakeHeaders.add(request.getHeaders().toString());
                if (request.getSubProtocols().contains("chat")) {
                    response.setAcceptedSubProtocol("chat");
                }
                return new Echo(closes);
            });
        }));
        server.start();
    }

    /** Starts the server, and has it serve one session straight away (see {@link #warmUp}). */
    public static WebSocketEcho start(String address, int port) throws Exception {
        WebSocketEcho echo = new WebSocketEcho(address, port);
        echo.warmUp(address, port);
        return echo;
    }

    /**
     * One session straight to the server, not through the proxy, before any test: a cold server's
     * first upgrade loads and compiles its WebSocket classes, which on a busy machine took longer
     * than the suite's {@code responseTimeout} (1 s) and made a test's first handshake through the
     * proxy a {@code 504} (issue 25).
     */
    private void warmUp(String address, int port) throws Exception {
        try (WsClient ws = WsClient.open(address, port, "/echo")) {
            ws.sendText("warm-up");
            if (!"warm-up".equals(ws.next())) {
                throw new IllegalStateException("the WebSocket echo server on " + address + " did not echo");
            }
        }
        nextClose(WsClient.BOUND);
        reset();
    }

    /** The next close a client sent, waiting at most {@code bound}; {@code null} if none came. */
    public Closed nextClose(Duration bound) throws InterruptedException {
        return closes.poll(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The request head of the next handshake the backend accepted, as text. */
    public String nextHandshake(Duration bound) throws InterruptedException {
        return handshakeHeaders.poll(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public void reset() {
        closes.clear();
        handshakeHeaders.clear();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Public: Jetty invokes its methods through method handles. */
    public static final class Echo implements Session.Listener.AutoDemanding {
        private final BlockingQueue<Closed> closes;
        private Session session;

        Echo(BlockingQueue<Closed> closes) {
            this.closes = closes;
        }

        @Override
        public void onWebSocketOpen(Session s) {
            this.session = s;
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.equals("die")) {
                session.disconnect();
            } else if (message.startsWith("close:")) {
                List<String> parts = List.of(message.split(":", 3));
                session.close(Integer.parseInt(parts.get(1)), parts.get(2), Callback.NOOP);
            } else {
                session.sendText(message, Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
            callback.succeed();
            session.sendBinary(copy, Callback.NOOP);
        }

        @Override
        public void onWebSocketClose(int code, String reason) {
            closes.add(new Closed(code, reason));
        }
    }
}
