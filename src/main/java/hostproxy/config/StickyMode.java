package hostproxy.config;

/** Whether a client keeps going to the address that served it first. */
public enum StickyMode {
    /** Every request is balanced on its own. */
    OFF,
    /** A signed cookie names the address; every instance with the same {@code stickySecret} honours it. */
    COOKIE
}
