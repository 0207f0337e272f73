package hostproxy.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;

/**
 * The client's request body, streamed to the backend as it arrives. Unlike HttpClient's
 * {@code InputStreamEntity}, it flushes whenever the client has nothing more ready: the client
 * library's chunk and socket buffers would otherwise hold back a slowly sent body until they fill.
 */
final class ClientBodyEntity extends AbstractHttpEntity {
    private final InputStream body;
    private final long length;
    /** Drops the backend connection at once; set by {@link UpstreamClient} for each exchange. */
    private volatile Runnable dropConnection;

    /** @param length the body's length, or -1 to send it chunked */
    ClientBodyEntity(InputStream clientBody, long length) {
        super((String) null, null);
        this.body = ClientGoneException.marking(clientBody);
        this.length = length;
    }

    void onFailureDrop(Runnable dropConnection) {
        this.dropConnection = dropConnection;
    }

    /**
     * Streams the body. When the client's side fails (it went away, or passed {@code maxBodySize}),
     * the backend connection is dropped before the exception leaves: the client library would
     * otherwise close the chunked stream on its way out, writing the last chunk, and the backend
     * would take the cut-off body for a complete one.
     */
    @Override
    public void writeTo(OutputStream out) throws IOException {
        byte[] buffer = new byte[Relay.BUFFER_SIZE];
        for (int n; (n = read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            if (body.available() == 0) {
                out.flush();
            }
        }
        out.flush();
    }

    private int read(byte[] buffer) throws IOException {
        try {
            return body.read(buffer);
        } catch (IOException e) {
            Runnable drop = dropConnection;
            if (drop != null) {
                drop.run();
            }
            throw e;
        }
    }

    @Override
    public InputStream getContent() {
        return body;
    }

    @Override
    public long getContentLength() {
        return length;
    }

    @Override
    public boolean isRepeatable() {
        return false;
    }

    @Override
    public boolean isStreaming() {
        return true;
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
