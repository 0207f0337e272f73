package hostproxy.config;

/** A value that logs never show: {@code stickySecret}. Empty: none given. */
public record Secret(String value) {
    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "(none)" : "(set)";
    }
}
