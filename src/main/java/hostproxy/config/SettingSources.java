package hostproxy.config;

import java.util.List;
import java.util.function.Function;

/**
 * Finds a setting's raw value in an ordered list of sources, the last one that has it winning:
 * context parameters, servlet init parameters, system properties, environment variables.
 */
public final class SettingSources implements Function<Setting, String> {
    private final List<Function<Setting, String>> lowestFirst;

    private SettingSources(List<Function<Setting, String>> lowestFirst) {
        this.lowestFirst = List.copyOf(lowestFirst);
    }

    /**
     * @param contextParameter web.xml context-param or Tomcat context {@code <Parameter>}, by key
     * @param initParameter    the servlet's init-param, by key
     * @param systemProperty   a JVM system property, by full name ({@code hostproxy.<key>})
     * @param environment      an environment variable, by full name ({@code HOSTPROXY_<KEY>})
     */
    public static SettingSources of(Function<String, String> contextParameter, Function<String, String> initParameter,
            Function<String, String> systemProperty, Function<String, String> environment) {
        return new SettingSources(List.of(
                s -> contextParameter.apply(s.key()),
                s -> initParameter.apply(s.key()),
                s -> systemProperty.apply(s.systemProperty()),
                s -> environment.apply(s.environmentVariable())));
    }

    @Override
    public String apply(Setting setting) {
        String value = null;
        for (Function<Setting, String> source : lowestFirst) {
            String v = source.apply(setting);
            if (v != null) {
                value = v;
            }
        }
        return value;
    }
}
