package hostproxy.upstream;

import java.io.IOException;

/** DNS gave no usable answer for a name whose addresses are not known yet. */
public final class BackendUnresolvedException extends IOException {
    private static final long serialVersionUID = 1L;

    BackendUnresolvedException(String name, String reason) {
        super("cannot resolve backend " + name + ": " + reason);
    }
}
