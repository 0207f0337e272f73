package hostproxy.relay;

/**
 * {@code maxBodySize} for a body whose length is not known in advance (chunked): the read that
 * passes the limit stops the exchange, drops the backend connection mid-body (the backend never
 * sees a last chunk, so it cannot take the cut-off body for a complete one) and answers {@code 413}.
 */
public final class BodyLimit {
    private BodyLimit() {
    }

    /** The request with its body limited to {@code limit} bytes; {@code limit < 0}: unlimited. */
    public static OutboundRequest apply(OutboundRequest request, long limit) {
        if (limit < 0 || request.body() == null) {
            return request;
        }
        return new OutboundRequest(request.method(), request.rawTarget(), request.headers(),
                request.body().withLimit(limit));
    }

    /** The error for a body larger than {@code limit}: the client's doing, answered {@code 413}. */
    public static ProxyError tooLarge(long limit) {
        return new ProxyError(413, "request body larger than " + limit + " bytes");
    }
}
