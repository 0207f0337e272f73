package hostproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The scale-out recipes ({@code conf/kubernetes/*.yaml}, {@code conf/swarm/stack.yaml}) keep the
 * invariants docs/scale-out.md promises: several replicas, probes on the admin endpoints, the admin port
 * never exposed, a grace period longer than the drain, the sticky-session secret from a secret,
 * backends as ordinary services on the backend port.
 */
class ScaleOutManifestsTest {
    private static final Path CONF = Path.of(System.getProperty("basedir", ".")).resolve("conf");
    /** The planned default of {@code drainTimeout}, used where a manifest does not set it. */
    private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(30);

    // ---- Kubernetes ----

    @Test
    void theDeploymentRunsSeveralReplicasWithProbesOnTheAdminPort() throws IOException {
        Map<String, Object> deployment = only(kubernetes("Deployment", "hostproxy"));
        Map<String, Object> spec = map(deployment, "spec");
        assertTrue(integer(spec, "replicas") >= 2, "replicas >= 2");
        Map<String, Object> container = proxyContainer();
        Map<String, String> env = env(container);
        assertEquals("0.0.0.0", env.get("HOSTPROXY_ADMIN_ADDRESS"), "the kubelet reaches the admin port");
        int adminPort = Integer.parseInt(env.getOrDefault("HOSTPROXY_ADMIN_PORT", "8081"));
        String adminName = portName(container, adminPort);
        assertNotNull(adminName, "the container declares the admin port " + adminPort + " with a name");

        for (String[] probe : new String[][] {{"readinessProbe", "/readyz"}, {"livenessProbe", "/healthz"}}) {
            Map<String, Object> get = map(map(container, probe[0]), "httpGet");
            assertEquals(probe[1], get.get("path"), probe[0]);
            Object port = get.get("port");
            assertTrue(port.equals(adminName) || port.equals(adminPort), probe[0] + " on the admin port: " + port);
        }
    }

    @Test
    void theGracePeriodIsLongerThanTheDrain() throws IOException {
        Map<String, Object> podSpec = map(map(only(kubernetes("Deployment", "hostproxy")), "spec", "template"), "spec");
        Duration drain = drain(env(proxyContainer()).get("HOSTPROXY_DRAIN_TIMEOUT"));
        long grace = integer(podSpec, "terminationGracePeriodSeconds");
        assertTrue(grace > drain.toSeconds(), "terminationGracePeriodSeconds " + grace + " > drain " + drain);
    }

    @Test
    void theStickySecretComesFromASecretOfTheManifests() throws IOException {
        Map<String, Object> ref = null;
        for (Map<String, Object> e : list(proxyContainer(), "env")) {
            if ("HOSTPROXY_STICKY_SECRET".equals(e.get("name"))) {
                assertFalse(e.containsKey("value"), "the sticky secret is never written into the Deployment");
                ref = map(e, "valueFrom", "secretKeyRef");
            }
        }
        assertNotNull(ref, "HOSTPROXY_STICKY_SECRET from a secretKeyRef");
        Map<String, Object> secret = only(kubernetes("Secret", (String) ref.get("name")));
        Map<String, Object> data = secret.containsKey("stringData") ? map(secret, "stringData") : map(secret, "data");
        assertTrue(data.containsKey(ref.get("key")), "the Secret holds the key " + ref.get("key"));
    }

    @Test
    void noServiceExposesTheAdminPortAndOneServesTheProxy() throws IOException {
        Map<String, Object> container = proxyContainer();
        int adminPort = Integer.parseInt(env(container).getOrDefault("HOSTPROXY_ADMIN_PORT", "8081"));
        String adminName = portName(container, adminPort);
        String httpName = portName(container, 8080);
        boolean proxied = false;
        for (Map<String, Object> service : kubernetes("Service", null)) {
            Map<String, Object> spec = map(service, "spec");
            boolean selectsProxy = "hostproxy".equals(map(spec, "selector").get("app"));
            for (Map<String, Object> port : list(spec, "ports")) {
                Object target = port.getOrDefault("targetPort", port.get("port"));
                if (selectsProxy) {
                    assertFalse(target.equals(adminName) || target.equals(adminPort),
                            "Service " + name(service) + " exposes the admin port");
                    proxied |= target.equals(httpName) || target.equals(8080);
                }
            }
        }
        assertTrue(proxied, "a Service sends traffic to the proxy's http port");
    }

    /** A backend is reached as {@code <label>:<backendPort>}: each label allowed is a Service with that port. */
    @Test
    void backendsAreServicesNamedByTheirLabelOnTheBackendPort() throws IOException {
        Map<String, String> env = env(proxyContainer());
        int backendPort = Integer.parseInt(env.getOrDefault("HOSTPROXY_BACKEND_PORT", "8080"));
        for (String label : env.get("HOSTPROXY_ALLOWED_BACKENDS").split(",")) {
            Map<String, Object> service = only(kubernetes("Service", label.strip()));
            assertTrue(list(map(service, "spec"), "ports").stream().anyMatch(p -> p.get("port").equals(backendPort)),
                    "Service " + label + " listens on " + backendPort);
        }
    }

    // ---- Docker Swarm ----

    @Test
    void theSwarmStackKeepsTheSameInvariants() throws IOException {
        Map<String, Object> stack = yaml(CONF.resolve("swarm/stack.yaml")).get(0);
        Map<String, Object> services = map(stack, "services");
        Map<String, Object> proxy = map(services, "proxy");
        assertTrue(integer(map(proxy, "deploy"), "replicas") >= 2, "replicas >= 2");

        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) proxy.get("environment");
        int adminPort = Integer.parseInt((String) env.getOrDefault("HOSTPROXY_ADMIN_PORT", "8081"));
        for (Map<String, Object> port : list(proxy, "ports")) {
            assertEquals(8080, port.get("target"), "only the http port is published");
        }
        String healthCheck = String.valueOf(map(proxy, "healthcheck").get("test"));
        assertTrue(healthCheck.contains("/" + adminPort) && healthCheck.contains("GET /healthz"),
                "the health check asks the admin port's /healthz: " + healthCheck);

        Duration drain = drain((String) env.get("HOSTPROXY_DRAIN_TIMEOUT"));
        Duration grace = drain((String) proxy.get("stop_grace_period"));
        assertTrue(grace.compareTo(drain) > 0, "stop_grace_period " + grace + " > drain " + drain);

        assertFalse(env.containsKey("HOSTPROXY_STICKY_SECRET"), "the sticky secret is never written into the stack");
        @SuppressWarnings("unchecked")
        List<String> secrets = (List<String>) proxy.get("secrets");
        assertTrue(String.valueOf(proxy.get("entrypoint")).contains("HOSTPROXY_STICKY_SECRET="), "the secret reaches the variable");
        for (String secret : secrets) {
            assertTrue(map(stack, "secrets").containsKey(secret), "secret " + secret + " is declared");
        }

        for (String label : ((String) env.get("HOSTPROXY_ALLOWED_BACKENDS")).split(",")) {
            Map<String, Object> backend = map(services, label.strip());
            assertFalse(backend.containsKey("ports"), "backend " + label + " publishes no port");
        }
    }

    // ---- helpers ----

    private static Map<String, Object> proxyContainer() throws IOException {
        Map<String, Object> podSpec = map(map(only(kubernetes("Deployment", "hostproxy")), "spec", "template"), "spec");
        return list(podSpec, "containers").get(0);
    }

    private static List<Map<String, Object>> kubernetes(String kind, String name) throws IOException {
        List<Map<String, Object>> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(CONF.resolve("kubernetes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (Map<String, Object> doc : yaml(f)) {
                    if (kind.equals(doc.get("kind")) && (name == null || name.equals(name(doc)))) {
                        found.add(doc);
                    }
                }
            }
        }
        return found;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> yaml(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file)) {
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(r)) {
                if (doc != null) {
                    docs.add((Map<String, Object>) doc);
                }
            }
        }
        return docs;
    }

    private static String name(Map<String, Object> doc) {
        return (String) map(doc, "metadata").get("name");
    }

    private static Map<String, Object> only(List<Map<String, Object>> docs) {
        assertEquals(1, docs.size(), "exactly one such manifest");
        return docs.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> from, String... path) {
        Map<String, Object> m = from;
        for (String key : path) {
            Object next = m.get(key);
            assertTrue(next instanceof Map, key + " is a mapping");
            m = (Map<String, Object>) next;
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> from, String key) {
        Object l = from.get(key);
        assertTrue(l instanceof List, key + " is a list");
        return (List<Map<String, Object>>) l;
    }

    private static long integer(Map<String, Object> from, String key) {
        Object v = from.get(key);
        assertTrue(v instanceof Number, key + " is a number");
        return ((Number) v).longValue();
    }

    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (Map<String, Object> e : list(container, "env")) {
            if (e.get("value") != null) {
                env.put((String) e.get("name"), String.valueOf(e.get("value")));
            }
        }
        return env;
    }

    private static String portName(Map<String, Object> container, int port) {
        for (Map<String, Object> p : list(container, "ports")) {
            if (p.get("containerPort").equals(port)) {
                return (String) p.get("name");
            }
        }
        return null;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** hostproxy's and Compose's duration form ({@code 30s}, {@code 2m}); {@code null}: the planned default. */
    private static Duration drain(String value) {
        if (value == null) {
            return DEFAULT_DRAIN;
        }
        Matcher m = DURATION.matcher(value.strip());
        assertTrue(m.matches(), "a duration: " + value);
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
