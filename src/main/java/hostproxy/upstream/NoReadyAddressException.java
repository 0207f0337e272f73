package hostproxy.upstream;

import java.io.IOException;

/** Active health checks are on and none of the name's addresses has passed one (yet, or lately). */
public final class NoReadyAddressException extends IOException {
    private static final long serialVersionUID = 1L;

    NoReadyAddressException(String name) {
        super("backend " + name + " has no address that passed its health check");
    }

    public static NoReadyAddressException of(String name) {
        return new NoReadyAddressException(name);
    }
}
