package hostproxy.tunnel;

/**
 * What the tunnels publish for operations (metrics {@code hostproxy_tunnels_open} and
 * {@code hostproxy_tunnel_bytes_total{direction}}): read-only, cheap to read from any thread.
 */
public interface TunnelCounts {
    /** Tunnels open now. */
    int open();

    /** Bytes passed from clients to backends, over every tunnel since the start. */
    long bytesToBackend();

    /** Bytes passed from backends to clients, over every tunnel since the start. */
    long bytesToClient();
}
