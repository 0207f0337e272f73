package hostproxy.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The server-info strings the suite's containers really give (read from their logs). */
class ContainerTest {
    @Test
    void tomcatRunsTheWriteListenerOnTheSettersThreadAndCarriesTunnels() {
        for (String info : new String[] {"Apache Tomcat/11.0.27", "Apache Tomcat/10.1.59"}) {
            Container c = Container.of(info);
            assertEquals(Container.Kind.TOMCAT, c.kind(), info);
            assertTrue(c.runsWriteListenerOnSetter(), info);
            assertNull(c.tunnelsUnsupported(), info);
        }
    }

    @Test
    void jettyCarriesTunnelsAndHandsTheWriteListenerToItsOwnThread() {
        Container c = Container.of("jetty/12.1.5");
        assertEquals(Container.Kind.JETTY, c.kind());
        assertFalse(c.runsWriteListenerOnSetter());
        assertNull(c.tunnelsUnsupported());
    }

    @Test
    void onlyUndertowRefusesTunnels() {
        Container c = Container.of("WildFly Full 39.0.1.Final (WildFly Core 31.0.1.Final) - 2.3.20.Final");
        assertEquals(Container.Kind.UNDERTOW, c.kind());
        assertNotNull(c.tunnelsUnsupported());
        assertFalse(c.runsWriteListenerOnSetter());
    }

    @Test
    void anUnknownOrMissingServerInfoIsOtherAndAssumesNoQuirk() {
        for (String info : new String[] {null, "", "GlassFish Server Open Source Edition 7.0"}) {
            Container c = Container.of(info);
            assertEquals(Container.Kind.OTHER, c.kind());
            assertFalse(c.runsWriteListenerOnSetter());
            assertNull(c.tunnelsUnsupported());
        }
    }
}
