package hostproxy.relay;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The client stopped taking part (closed, reset or timed out) while its request body was being
 * read or its response written. Told apart from backend failures: it is no fault of the backend's
 * and needs no answer.
 */
final class ClientGoneException extends IOException {
    private static final long serialVersionUID = 1L;

    ClientGoneException(IOException cause) {
        super(cause.getMessage(), cause);
    }

    static boolean causedBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClientGoneException) {
                return true;
            }
        }
        return false;
    }

    /** The client's request body, with its read failures marked as the client's. */
    static InputStream marking(InputStream clientBody) {
        return new FilterInputStream(clientBody) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException e) {
                    throw new ClientGoneException(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (IOException e) {
                    throw new ClientGoneException(e);
                }
            }
        };
    }
}
