package hostproxy.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code backendNetworks} setting: the addresses a backend built from the template may have.
 * Its items add up: {@value #PUBLIC_AND_PRIVATE} (every address but the {@link LocalRange}s),
 * {@value #ANY} (every address), and CIDR blocks. {@code 127.0.0.0/8} alone allows loopback only;
 * {@code public-and-private, 127.0.0.1} adds one loopback address to the default.
 */
public final class BackendNetworks {
    /** Every address but loopback, link-local, unspecified, multicast and broadcast. */
    public static final String PUBLIC_AND_PRIVATE = "public-and-private";
    public static final String ANY = "*";

    private final boolean any;
    private final boolean publicAndPrivate;
    private final List<Cidr> blocks;
    private final String text;

    private BackendNetworks(boolean any, boolean publicAndPrivate, List<Cidr> blocks, String text) {
        this.any = any;
        this.publicAndPrivate = publicAndPrivate;
        this.blocks = List.copyOf(blocks);
        this.text = text;
    }

    static BackendNetworks parse(Setting setting, String value) {
        boolean any = false;
        boolean publicAndPrivate = false;
        List<Cidr> blocks = new ArrayList<>();
        List<String> items = new ArrayList<>();
        for (String raw : value.split(",")) {
            String item = raw.trim().toLowerCase(Locale.ROOT);
            if (item.isEmpty()) {
                continue;
            }
            if (item.equals(ANY)) {
                any = true;
            } else if (item.equals(PUBLIC_AND_PRIVATE)) {
                publicAndPrivate = true;
            } else {
                Cidr c = Cidr.parse(item);
                if (c == null) {
                    throw new InvalidSettingException(setting, value, "expected " + PUBLIC_AND_PRIVATE + ", * or "
                            + "comma-separated CIDR blocks such as 127.0.0.0/8, 10.1.2.3, fd00::/8; '" + raw.trim()
                            + "' is none of these");
                }
                blocks.add(c);
            }
            items.add(item);
        }
        if (items.isEmpty()) {
            // An empty list would refuse every backend built from the template: surely not what was meant.
            throw new InvalidSettingException(setting, value, "expected " + PUBLIC_AND_PRIVATE
                    + " (the default), * (any address) or comma-separated CIDR blocks; empty would allow no backend");
        }
        return new BackendNetworks(any, publicAndPrivate, blocks, String.join(",", items));
    }

    /** Whether a backend built from the template may be reached at this address. */
    public boolean allows(InetAddress address) {
        return any || (publicAndPrivate && LocalRange.of(address) == null) || Cidr.anyContains(blocks, address);
    }

    /** Whether every address is allowed: no address is ever refused. */
    public boolean allowsAll() {
        return any;
    }

    /** The setting as given, normalised: {@code public-and-private}, {@code 127.0.0.0/8,::1}. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackendNetworks b && b.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
