package hostproxy.it.support;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A real HTTP/2 server as a backend: Jetty 12.1's core server with only h2c (HTTP/2 with prior
 * knowledge, no HTTP/1.1 at all), on a loopback address. {@code GET /bytes/N} answers N bytes of
 * {@link #bytes(int)}; {@code POST /echo} answers the request's body, with the trailer field
 * {@code x-length} (the body's length) when the request asks {@code /echo?trailers}. It records every
 * request as it arrived, with the protocol it came in, the connection that carried it and its trailers.
 */
public final class Http2Backend implements AutoCloseable {
    /**
     * A request as the backend received it.
     *
     * @param protocol   {@code HTTP/2.0} for an HTTP/2 stream
     * @param authority  the request's {@code :authority}
     * @param connection which connection carried it (Jetty's id of the connection)
     */
    public record Received(String protocol, String method, String authority, String target, List<Field> headers,
            byte[] body, String connection, List<Field> trailers) {
        public String header(String name) {
            return HttpWire.first(headers, name);
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private Http2Backend(String address, int port) throws Exception {
        server = new Server();
        connector = new ServerConnector(server, new HTTP2CServerConnectionFactory(new HttpConfiguration()));
        connector.setHost(address);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body = bytesOf(Content.Source.asByteBuffer(request));
                String target = request.getHttpURI().getPathQuery();
                List<Field> headers = request.getHeaders().stream().map(f -> new Field(f.getName(), f.getValue())).toList();
                HttpFields trailerFields = request.getTrailers();
                List<Field> trailers = trailerFields == null ? List.of()
                        : trailerFields.stream().map(f -> new Field(f.getName(), f.getValue())).toList();
                received.add(new Received(request.getConnectionMetaData().getProtocol(), request.getMethod(),
                        request.getHttpURI().getAuthority(), target, headers, body, request.getConnectionMetaData().getId(),
                        trailers));
                byte[] answer;
                if (request.getMethod().equals("POST") && (target.equals("/echo") || target.equals("/echo?trailers"))) {
                    answer = body;
                    if (target.endsWith("?trailers")) {
                        response.setTrailersSupplier(() -> HttpFields.build().put("x-length", Integer.toString(body.length)));
                    }
                } else if (request.getMethod().equals("GET") && target.startsWith("/bytes/")) {
                    answer = bytes(Integer.parseInt(target.substring("/bytes/".length())));
                } else {
                    Response.writeError(request, response, callback, 404);
                    return true;
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                response.write(true, ByteBuffer.wrap(answer), callback);
                return true;
            }
        });
        server.start();
    }

    public static Http2Backend start(String address, int port) throws Exception {
        return new Http2Backend(address, port);
    }

    /** {@code size} bytes that {@code GET /bytes/size} answers: random, the same every time. */
    public static byte[] bytes(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    /** The next request not taken yet, waiting up to 10 s for it. */
    public Received take() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the HTTP/2 backend received no request within 10 s");
        }
        return r;
    }

    public void reset() {
        received.clear();
    }

    public int port() {
        return connector.getLocalPort();
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.get(b);
        return b;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
