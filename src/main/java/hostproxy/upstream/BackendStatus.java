package hostproxy.upstream;

import java.util.List;

/**
 * What is known of one backend name at one moment, for the admin port: a copy, never a live view.
 *
 * @param lastLookupMillis when DNS last answered for it (epoch milliseconds; 0: not yet)
 * @param lastLookupResult what that answer was: {@code 3 addresses}, {@code not found}, {@code failed: ...}
 */
public record BackendStatus(String name, List<Address> addresses, long lastLookupMillis, String lastLookupResult) {
    /** The state of an address DNS gave that {@code backendNetworks} does not allow. */
    public static final String REFUSED = "refused";

    /**
     * One address of the name.
     *
     * @param state    {@code healthy}, {@code failing} (connect failures: passive back-off),
     *                 {@code not ready} (no health check passed yet), {@code ejected} (checks failing) or
     *                 {@value BackendStatus#REFUSED} (outside {@code backendNetworks}: never connected to)
     * @param inFlight exchanges with it now
     * @param detail   why it is not healthy (last failure or last check), or {@code null}
     */
    public record Address(String address, String state, int inFlight, String detail) {
        public boolean up() {
            return state.equals("healthy");
        }
    }
}
