package hostproxy.containers;

import hostproxy.it.support.Backends;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every scenario class of the suite shares: the packaged WAR deployed as the ROOT application
 * of the container under test, and the three backends, started for the class and reset before
 * each test. (Subclasses' own set-up runs after this.)
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class ContainerScenario {
    static Backends backends;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ContainerSuite.rootWar();
    }

    @BeforeAll
    static void startBackends() throws Exception {
        backends = Backends.start();
    }

    @AfterAll
    static void stopBackends() throws Exception {
        backends.close();
    }

    @BeforeEach
    void resetBackends() {
        backends.reset();
    }
}
