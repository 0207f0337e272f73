package hostproxy.config;

import java.net.InetAddress;
import java.util.List;

/**
 * The address ranges that {@code backendNetworks}' default, {@code public-and-private}, leaves out:
 * where a connection lands on the proxy's own host or its link (the loopback, a cloud's metadata
 * service at 169.254.169.254), or nowhere in particular. An IPv4-mapped IPv6 address
 * ({@code ::ffff:127.0.0.1}) is judged as its IPv4 address: a dual-stack socket connects to that.
 */
public enum LocalRange {
    LOOPBACK("loopback", "127.0.0.0/8", "::1/128"),
    LINK_LOCAL("link-local", "169.254.0.0/16", "fe80::/10"),
    // 0.0.0.0/8 as a whole ("this network", RFC 791): no valid destination, and Linux connects 0.0.0.0 to the loopback
    UNSPECIFIED("unspecified", "0.0.0.0/8", "::/128"),
    MULTICAST("multicast", "224.0.0.0/4", "ff00::/8"),
    BROADCAST("broadcast", "255.255.255.255/32");

    private final String description;
    private final List<Cidr> blocks;

    LocalRange(String description, String... blocks) {
        this.description = description;
        this.blocks = java.util.Arrays.stream(blocks).map(Cidr::parse).toList();
    }

    /** The range the address is in, or {@code null} when it is in none of them. */
    public static LocalRange of(InetAddress address) {
        for (LocalRange r : values()) {
            if (Cidr.anyContains(r.blocks, address)) {
                return r;
            }
        }
        return null;
    }

    /** e.g. {@code loopback}. */
    public String description() {
        return description;
    }

    /** e.g. {@code 127.0.0.0/8, ::1/128}. */
    public String blocks() {
        return String.join(", ", blocks.stream().map(Cidr::toString).toList());
    }
}
