package hostproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A mistyped setting is named, with the setting meant; what belongs to others is left alone. */
class UnknownSettingsTest {
    private static List<String> fromEnvironment(String... names) {
        return UnknownSettings.warnings(List.of(), List.of(), List.of(), List.of(names), false);
    }

    private static List<String> fromContext(String... names) {
        return UnknownSettings.warnings(List.of(names), List.of(), List.of(), List.of(), false);
    }

    @Test
    void aMistypedEnvironmentVariableIsNamedWithTheSettingMeant() {
        assertEquals(List.of("hostproxy: environment variable HOSTPROXY_BACKEND_PROT is not a setting and is ignored; "
                + "did you mean HOSTPROXY_BACKEND_PORT?"), fromEnvironment("HOSTPROXY_BACKEND_PROT", "PATH", "HOME"));
    }

    @Test
    void aMistypedSystemPropertyIsNamedWithTheSettingMeant() {
        assertEquals(List.of("hostproxy: system property hostproxy.conectTimeout is not a setting and is ignored; "
                        + "did you mean hostproxy.connectTimeout?"),
                UnknownSettings.warnings(List.of(), List.of(), List.of("hostproxy.conectTimeout", "java.version",
                        "hostproxy.connectTimeout"), List.of(), false));
    }

    @Test
    void aMistypedInitParamIsNamedWithTheSettingMeant() {
        assertEquals(List.of("hostproxy: servlet init-param alowedBackends is not a setting and is ignored; "
                        + "did you mean allowedBackends?"),
                UnknownSettings.warnings(List.of(), List.of("alowedBackends"), List.of(), List.of(), false));
    }

    @ParameterizedTest
    @CsvSource({"backendProt,backendPort", "BackendPort,backendPort", "maxConnectionPerBackend,maxConnectionsPerBackend",
            "hostproxy.backendPort,backendPort", "backend.port,backendPort", "backend_networks,backendNetworks",
            "dnsrefresh,dnsRefresh", "trustedProxy,trustedProxies"})
    void aContextParameterOfOursIsNamedWithTheSettingMeant(String given, String meant) {
        assertEquals(List.of("hostproxy: context parameter " + given + " is not a setting and is ignored; did you mean "
                + meant + "?"), fromContext(given));
    }

    /** Containers and frameworks put their own context parameters beside ours; they have dots. */
    @ParameterizedTest
    @ValueSource(strings = {"org.eclipse.jetty.servlet.Default.dirAllowed", "org.eclipse.jetty.ee10.webapp.basetempdir",
            "resteasy.scan", "jakarta.faces.PROJECT_STAGE", "org.apache.tomcat.websocket.textBufferSize",
            "io.undertow.servlet.x", "javax.servlet.context.tempdir", "backendPort", "dnsRefresh"})
    void contextParametersOfOthersAndSettingsAreLeftAlone(String name) {
        assertEquals(List.of(), fromContext(name));
    }

    /** Kubernetes' service links for a Service named hostproxy (conf/kubernetes/hostproxy.yaml has one) are no typos. */
    @Test
    void kubernetesServiceLinksAreNotOurs() {
        assertEquals(List.of(), fromEnvironment("HOSTPROXY_SERVICE_HOST", "HOSTPROXY_SERVICE_PORT",
                "HOSTPROXY_SERVICE_PORT_HTTP", "HOSTPROXY_PORT", "HOSTPROXY_PORT_80_TCP", "HOSTPROXY_PORT_80_TCP_PROTO",
                "HOSTPROXY_PORT_80_TCP_PORT", "HOSTPROXY_PORT_80_TCP_ADDR"));
        assertEquals(1, fromEnvironment("HOSTPROXY_PORTS").size(), "a near miss of a setting is still one");
    }

    @Test
    void aNameLikeNoSettingStillGetsTheClosestNamed() {
        List<String> w = fromEnvironment("HOSTPROXY_COLOUR");
        assertEquals(1, w.size());
        assertTrue(w.get(0).startsWith("hostproxy: environment variable HOSTPROXY_COLOUR is not a setting and is "
                + "ignored; the closest setting is HOSTPROXY_"), w.get(0));
    }

    @Test
    void theEnvironmentsCaseMattersWhereItMatters() {
        assertEquals(List.of("hostproxy: environment variable hostproxy_backend_port is not a setting and is ignored; "
                + "did you mean HOSTPROXY_BACKEND_PORT?"), fromEnvironment("hostproxy_backend_port"));
        assertEquals(List.of(), UnknownSettings.warnings(List.of(), List.of(), List.of(),
                List.of("hostproxy_backend_port"), true), "Windows reads HOSTPROXY_BACKEND_PORT so");
    }

    @Test
    void everySettingUnderEachOfItsNamesIsKnown() {
        List<Setting> all = Arrays.asList(Setting.values());
        assertEquals(List.of(), UnknownSettings.warnings(all.stream().map(Setting::key).toList(),
                all.stream().map(Setting::key).toList(), all.stream().map(Setting::systemProperty).toList(),
                all.stream().map(Setting::environmentVariable).toList(), false));
    }

    @Test
    void namesAreComparedWithoutPrefixCaseOrSeparators() {
        assertEquals("backendport", UnknownSettings.normalized("HOSTPROXY_BACKEND_PORT"));
        assertEquals("backendport", UnknownSettings.normalized("hostproxy.backendPort"));
        assertEquals(1, UnknownSettings.distance("backendprot", "backendport"), "a swap is one typo");
        assertEquals(Setting.BACKEND_PORT, UnknownSettings.closest("HOSTPROXY_BACKEND_PROT"));
    }
}
