package hostproxy.container;

import java.util.Locale;

/**
 * The servlet container hostproxy runs in, read once at start from
 * {@code ServletContext.getServerInfo()}: what the container-specific code of this package, and
 * the few choices made elsewhere, ask.
 *
 * @param kind Tomcat, Jetty, Undertow (WildFly), or another
 */
public record Container(Kind kind) {
    public enum Kind { TOMCAT, JETTY, UNDERTOW, OTHER }

    public static Container of(String serverInfo) {
        String info = serverInfo == null ? "" : serverInfo.toLowerCase(Locale.ROOT);
        Kind kind;
        if (info.startsWith("apache tomcat")) {
            kind = Kind.TOMCAT;
        } else if (info.startsWith("jetty")) {
            kind = Kind.JETTY;
        } else if (info.contains("wildfly") || info.contains("undertow") || info.contains("jboss")) {
            kind = Kind.UNDERTOW;
        } else {
            kind = Kind.OTHER;
        }
        return new Container(kind);
    }

    /**
     * Tomcat runs what a write listener set off a container thread triggers on that thread at once
     * (its first {@code onWritePossible}, and a completion there): the relay sets it late where that
     * saves a thread hand-off (the relay's {@code ClientResponse}, {@link ServletReentry}).
     */
    public boolean runsWriteListenerOnSetter() {
        return kind == Kind.TOMCAT;
    }

    /**
     * Why upgrade tunnels are refused here ({@code 501}), or {@code null} where they work. WildFly
     * (Undertow 2.3) ends the input of an upgraded connection after the first bytes a servlet reads
     * from it (its channel reports end of stream), so a tunnel would die after the client's first
     * message.
     */
    public String tunnelsUnsupported() {
        return kind == Kind.UNDERTOW ? "Upgrade (WebSocket) tunnels do not work on WildFly/Undertow yet" : null;
    }
}
