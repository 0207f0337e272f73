package hostproxy.upstream;

import hostproxy.config.BackendNetworks;
import hostproxy.config.BackendTarget;
import hostproxy.config.ProxyConfig;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which backend names have their addresses checked against {@code backendNetworks}: every name but
 * those an explicit route targets. A route's target is the operator's own choice, loopback or not;
 * any other name was built by the template from a client's Host, and DNS (or a hosts file, or a
 * record changed later) may point it anywhere, the proxy's own loopback included.
 */
final class AddressGuard {
    private final BackendNetworks networks;
    private volatile Set<String> routed;

    AddressGuard(ProxyConfig config) {
        this.networks = config.backendNetworks();
        routesChanged(config.initialRoutes().targets().values());
    }

    /** The routes in force changed (the routes file is live): these are the targets now. */
    void routesChanged(Collection<BackendTarget> targets) {
        this.routed = targets.stream().map(BackendTarget::host).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The networks this name's addresses must be in, or {@code null} when they are not checked. A
     * name that a route targets is trusted also when the template reaches it: it is one name, with
     * one set of addresses.
     */
    BackendNetworks networksOf(String name) {
        return networks.allowsAll() || routed.contains(name) ? null : networks;
    }
}
