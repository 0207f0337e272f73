package hostproxy.upstream;

import java.io.IOException;

/** Every address DNS gives for a name is outside {@code backendNetworks}: nothing may be connected to. */
public final class AddressNotAllowedException extends IOException {
    private static final long serialVersionUID = 1L;

    AddressNotAllowedException(String reason) {
        super(reason);
    }
}
