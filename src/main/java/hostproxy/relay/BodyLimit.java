package hostproxy.relay;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code maxBodySize} for a body whose length is not known in advance (chunked): the read that
 * passes the limit fails, which aborts the backend exchange mid-body (the backend never sees a last
 * chunk, so it cannot take the cut-off body for a complete one) and makes the answer {@code 413}.
 */
public final class BodyLimit {
    private BodyLimit() {
    }

    /** Thrown by the client's body stream once it has given more than the limit. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(long limit) {
            super("request body larger than " + limit + " bytes", null);
        }
    }

    /** The request with its body limited to {@code limit} bytes; {@code limit < 0}: unlimited. */
    public static OutboundRequest apply(OutboundRequest request, long limit) {
        if (limit < 0 || request.body() == null) {
            return request;
        }
        return new OutboundRequest(request.method(), request.rawTarget(), request.headers(),
                limited(request.body(), limit), request.bodyLength());
    }

    /** The error for a body larger than {@code limit}: the client's doing, answered {@code 413}. */
    public static ProxyError tooLarge(long limit) {
        return new ProxyError(413, "request body larger than " + limit + " bytes");
    }

    static boolean exceededBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TooLargeException) {
                return true;
            }
        }
        return false;
    }

    private static InputStream limited(InputStream body, long limit) {
        return new FilterInputStream(body) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    count(n);
                }
                return n;
            }

            private void count(int n) throws TooLargeException {
                read += n;
                if (read > limit) {
                    throw new TooLargeException(limit);
                }
            }
        };
    }
}
