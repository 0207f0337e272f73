package hostproxy.it.support;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's own WebSocket client ({@link java.net.http.WebSocket}) with what it received collected:
 * whole messages (a fragmented one is joined), pongs, the close the peer sent, or the error that
 * ended the session.
 *
 * <p>What arrives is handed to the test only once the client's receive method has returned, through
 * {@link #CALLBACKS}, the client's one executor thread. The JDK client (17 and 25 alike) loses the
 * end of the connection when it comes while a listener's receive method still runs: it has already
 * re-armed its socket read but has no demand yet, reads the end of stream, and
 * {@code TransportImpl.acknowledgeReception()} throws an {@code InternalError} that its
 * {@code SocketTube} swallows; neither {@code onClose} nor {@code onError} ever comes and the socket
 * stays in CLOSE_WAIT. A test that answered a message at once (send "die", say) could make the
 * proxy close within that window (issue 25: 5 of 300 such sessions with both cores busy, seen with
 * the client's debug log). The client runs its receive steps on its executor, so a task queued
 * there from a receive method runs after the client asked its transport for the next frame.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {
    public static final Duration BOUND = Duration.ofSeconds(10);
    private static final ExecutorService CALLBACKS = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ws-client-callbacks");
        t.setDaemon(true);
        return t;
    });
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(BOUND).executor(CALLBACKS).build();

    /** How the session ended: a close frame (code, reason), or an error (code -1, the error's text). */
    public record End(int code, String reason) {
        public boolean abnormal() {
            return code == -1 || code == 1006;
        }
    }

    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    private final CompletableFuture<End> end = new CompletableFuture<>();
    private StringBuilder text = new StringBuilder();
    private ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private WebSocket socket;

    private WsClient() {
    }

    /** Opens {@code ws://host:port/path} (the host names the backend by its first label). */
    public static WsClient open(String host, int port, String path, String... subprotocols) throws Exception {
        WsClient client = new WsClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(BOUND);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        client.socket = builder.buildAsync(URI.create("ws://" + host + ":" + port + path), client)
                .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        return client;
    }

    public WebSocket socket() {
        return socket;
    }

    public void sendText(String message) throws Exception {
        socket.sendText(message, true).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void sendBinary(byte[] message) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(message), true).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next whole message (a String or a byte[]), or {@code null} after {@link #BOUND}. */
    public Object next() throws InterruptedException {
        return messages.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ByteBuffer nextPong() throws InterruptedException {
        return pongs.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How the session ended, waiting at most {@link #BOUND}. */
    public End end() throws Exception {
        return end.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            String message = text.toString();
            CALLBACKS.execute(() -> messages.add(message));
            text = new StringBuilder();
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        binary.writeBytes(bytes);
        if (last) {
            byte[] message = binary.toByteArray();
            CALLBACKS.execute(() -> messages.add(message));
            binary = new ByteArrayOutputStream();
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
        ByteBuffer copy = ByteBuffer.allocate(message.remaining()).put(message).flip();
        CALLBACKS.execute(() -> pongs.add(copy));
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        end.complete(new End(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        end.complete(new End(-1, String.valueOf(error)));
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
        }
        if (socket != null) {
            socket.abort();
        }
    }
}
