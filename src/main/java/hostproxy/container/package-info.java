/**
 * Everything hostproxy does differently per servlet container, in one room. {@link
 * hostproxy.container.Container} is read once at start ({@code ServletContext.getServerInfo()}); the
 * rest handles one hazard each, with its why in its own class comment:
 * <ul>
 *   <li>{@link hostproxy.container.ConnectionAbort}: dropping a client's connection mid-response
 *       (the Servlet API has no call; Undertow needs its own);</li>
 *   <li>{@link hostproxy.container.ServletReentry}: Tomcat serving a pipelined request inside a
 *       relay call that set a write listener off a container thread;</li>
 *   <li>{@link hostproxy.container.EarlyHints}: {@code 103} where the container can send one
 *       (Servlet 6.1, or Tomcat 10.1's own method);</li>
 *   <li>{@link hostproxy.container.ClientClose}: closing an upgraded connection from any thread
 *       (Tomcat acts on {@code WebConnection.close()} only on its own threads);</li>
 *   <li>{@link hostproxy.container.JettyUpgradeInput}: Jetty's stale end of input on an upgraded
 *       connection;</li>
 *   <li>{@link hostproxy.container.Container#runsWriteListenerOnSetter()} and
 *       {@link hostproxy.container.Container#tunnelsUnsupported()}: choices made elsewhere.</li>
 * </ul>
 * The relay's {@code ServletGate} is not here: recycled servlet objects are a hazard of every
 * container alike.
 */
package hostproxy.container;
