package hostproxy.it.support.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * The interop server's metadata echo (custom_metadata): the request's {@code x-grpc-test-echo-initial}
 * comes back in the response's initial metadata, its {@code x-grpc-test-echo-trailing-bin} in the
 * trailing metadata, i.e. in HTTP/2 trailers, where a proxy that drops trailers loses it.
 */
final class EchoMetadata implements ServerInterceptor {
    static final Metadata.Key<String> INITIAL = Metadata.Key.of("x-grpc-test-echo-initial", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<byte[]> TRAILING = Metadata.Key.of("x-grpc-test-echo-trailing-bin", Metadata.BINARY_BYTE_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String initial = headers.get(INITIAL);
        byte[] trailing = headers.get(TRAILING);
        return next.startCall(new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
                if (initial != null) {
                    responseHeaders.put(INITIAL, initial);
                }
                super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (trailing != null) {
                    trailers.put(TRAILING, trailing);
                }
                super.close(status, trailers);
            }
        }, headers);
    }
}
