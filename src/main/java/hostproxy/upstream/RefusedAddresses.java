package hostproxy.upstream;

import hostproxy.config.BackendNetworks;
import hostproxy.config.LocalRange;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The addresses of a DNS answer that {@code backendNetworks} does not allow: never connected to, as
 * if DNS had not given them; kept to say so in the log, a {@code 502} and the status page.
 */
record RefusedAddresses(List<InetAddress> addresses, BackendNetworks networks) {
    static final RefusedAddresses NONE = new RefusedAddresses(List.of(), null);

    /** Those of {@code given} that {@code networks} refuses; {@code networks == null}: none. */
    static RefusedAddresses among(List<InetAddress> given, BackendNetworks networks) {
        if (networks == null) {
            return NONE;
        }
        List<InetAddress> refused = given.stream().filter(a -> !networks.allows(a)).toList();
        return refused.isEmpty() ? NONE : new RefusedAddresses(refused, networks);
    }

    boolean isEmpty() {
        return addresses.isEmpty();
    }

    boolean contains(InetAddress address) {
        return addresses.contains(address);
    }

    /** The same addresses, in any order (DNS servers rotate the records they answer with). */
    boolean sameAs(RefusedAddresses other) {
        return Set.copyOf(addresses).equals(Set.copyOf(other.addresses));
    }

    /** {@code backend x resolves only to 127.0.0.1 (loopback), which backendNetworks does not allow}. */
    String reason(String name) {
        return "backend " + name + " resolves only to " + listed() + ", which " + setting() + " does not allow";
    }

    /** {@code 127.0.0.1 (loopback), 10.9.8.7}. */
    String listed() {
        return addresses.stream().map(RefusedAddresses::described).collect(Collectors.joining(", "));
    }

    /** The range an address is in, when it is one of the local ones: {@code loopback}; else {@code null}. */
    static String range(InetAddress address) {
        LocalRange r = LocalRange.of(address);
        return r == null ? null : r.description();
    }

    /** {@code backendNetworks}, with its value when it is not the default. */
    String setting() {
        String value = networks.toString();
        return value.equals(BackendNetworks.PUBLIC_AND_PRIVATE) ? "backendNetworks" : "backendNetworks (" + value + ")";
    }

    private static String described(InetAddress a) {
        String range = range(a);
        return a.getHostAddress() + (range == null ? "" : " (" + range + ")");
    }
}
