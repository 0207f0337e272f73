package hostproxy.config;

import java.util.EnumMap;
import java.util.Map;

/** The options one route sets for itself; every other option is the global setting's. Immutable. */
public final class RouteOptions {
    public static final RouteOptions NONE = new RouteOptions(new EnumMap<>(RouteOption.class));
    private final Map<RouteOption, Object> values;

    RouteOptions(EnumMap<RouteOption, Object> values) {
        this.values = values;
    }

    /** This route's value of the option, else {@code global}. */
    @SuppressWarnings("unchecked")
    public <T> T get(RouteOption option, T global) {
        Object v = values.get(option);
        return v == null ? global : (T) v;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteOptions r && r.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
