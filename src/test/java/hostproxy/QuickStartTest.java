package hostproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

/**
 * The quick start's Tomcat ({@code conf/demo/server.xml}) gives hostproxy the very connector of
 * {@code conf/tomcat/server.xml}, and its port to hostproxy alone.
 */
class QuickStartTest {
    private static final Path CONF = Path.of(System.getProperty("basedir", ".")).resolve("conf");

    @Test
    void theProxyConnectorIsTheRecipesConnector() throws Exception {
        Element recipe = connector(CONF.resolve("tomcat/server.xml"), "Catalina");
        Element demo = connector(CONF.resolve("demo/server.xml"), "hostproxy");
        assertEquals(attributes(recipe), attributes(demo));
        assertEquals(attributes((Element) recipe.getElementsByTagName("UpgradeProtocol").item(0)),
                attributes((Element) demo.getElementsByTagName("UpgradeProtocol").item(0)), "HTTP/2, as tuned");
    }

    @Test
    void theDemoBackendHasItsOwnLoopbackConnectorAndApplications() throws Exception {
        Document demo = parse(CONF.resolve("demo/server.xml"));
        Element backend = connector(CONF.resolve("demo/server.xml"), "demo-backend");
        assertEquals("127.0.0.1", backend.getAttribute("address"));
        assertNotEquals(host(demo, "hostproxy").getAttribute("appBase"), host(demo, "demo-backend").getAttribute("appBase"),
                "Cargo's deployments (webapps/) never share hostproxy's host");
    }

    private static Element service(Document doc, String name) {
        NodeList services = doc.getElementsByTagName("Service");
        for (int i = 0; i < services.getLength(); i++) {
            Element s = (Element) services.item(i);
            if (name.equals(s.getAttribute("name"))) {
                return s;
            }
        }
        throw new AssertionError("no Service " + name);
    }

    private static Element connector(Path serverXml, String serviceName) throws Exception {
        NodeList connectors = service(parse(serverXml), serviceName).getElementsByTagName("Connector");
        assertEquals(1, connectors.getLength(), serverXml + ": one connector in " + serviceName);
        return (Element) connectors.item(0);
    }

    private static Element host(Document doc, String serviceName) {
        return (Element) service(doc, serviceName).getElementsByTagName("Host").item(0);
    }

    private static Map<String, String> attributes(Element e) {
        Map<String, String> m = new LinkedHashMap<>();
        NamedNodeMap a = e.getAttributes();
        for (int i = 0; i < a.getLength(); i++) {
            m.put(a.item(i).getNodeName(), a.item(i).getNodeValue());
        }
        return new java.util.TreeMap<>(m);
    }

    private static Document parse(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }
}
