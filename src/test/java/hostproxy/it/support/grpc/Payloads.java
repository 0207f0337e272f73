package hostproxy.it.support.grpc;

import com.google.protobuf.ByteString;
import io.grpc.testing.integration.Payload;
import io.grpc.testing.integration.ResponseParameters;
import io.grpc.testing.integration.StreamingOutputCallRequest;

/** What the interop {@code TestService}'s messages carry, as the tests build them. */
public final class Payloads {
    private Payloads() {
    }

    /** {@code size} zero bytes, as the interop descriptions have every payload. */
    public static Payload zeros(int size) {
        return of(new byte[size]);
    }

    public static Payload of(byte[] body) {
        return Payload.newBuilder().setBody(ByteString.copyFrom(body)).build();
    }

    /** A request for {@code count} streamed responses of {@code size} bytes, each {@code intervalMicros} after the one before. */
    public static StreamingOutputCallRequest.Builder paced(int count, int size, int intervalMicros) {
        StreamingOutputCallRequest.Builder request = StreamingOutputCallRequest.newBuilder();
        for (int i = 0; i < count; i++) {
            request.addResponseParameters(ResponseParameters.newBuilder().setSize(size).setIntervalUs(intervalMicros));
        }
        return request;
    }
}
