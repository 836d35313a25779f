package io.roster.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import io.roster.testkit.RosterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.consul.serviceregistry.ConsulRegistration;
import org.springframework.cloud.consul.serviceregistry.ConsulServiceRegistry;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/**
 * A minimal Spring Boot 4 application with Spring Cloud Consul 5.0.2
 * ({@code spring-cloud-starter-consul-discovery} and {@code -config}, which talk to Consul with
 * their own RestClient-based client) started against Roster exactly as against Consul:
 * <ul>
 *   <li>config: {@code spring.config.import=consul:} loads {@code config/roster-demo/*} from KV;
 *       the config watch ({@code ?recurse&wait=55s&index=N}) turns a KV change into a refresh that
 *       a {@link RefreshScope} bean and the {@code Environment} see;</li>
 *   <li>discovery: the application registers itself with an HTTP check on
 *       {@code /actuator/health} that Roster runs; a second application registers with a TTL check
 *       and keeps it passing with heartbeats; each is found through {@link DiscoveryClient}, and
 *       the catalog watch publishes {@link HeartbeatEvent}s as the catalog index moves;</li>
 *   <li>shutdown deregisters both.</li>
 * </ul>
 * Everything stays on 127.0.0.1; the applications' web servers use random ports.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpringCloudConsulTest {
    @RegisterExtension
    static final RosterExtension ROSTER = RosterExtension.dev().withoutDns();

    private static final String APP = "roster-demo";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static ConfigurableApplicationContext app;

    /** The application under test: a refresh-scoped bean that reads a property kept in Consul KV. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class DemoApplication {
        @Bean
        @RefreshScope
        Greeter greeter(@Value("${greeting:unset}") String greeting) {
            return new Greeter(greeting);
        }

        @Bean
        CatalogHeartbeats catalogHeartbeats() {
            return new CatalogHeartbeats();
        }
    }

    /** Holds the value it was built with; a refresh builds a new one (not final: the scope proxies it). */
    public static class Greeter {
        private final String greeting;

        public Greeter(String greeting) {
            this.greeting = greeting;
        }

        public String greeting() {
            return greeting;
        }
    }

    /** Records the catalog index of every {@link HeartbeatEvent} the catalog watch publishes. */
    static final class CatalogHeartbeats {
        final List<Object> states = new CopyOnWriteArrayList<>();

        @EventListener
        void on(HeartbeatEvent e) {
            states.add(e.getValue());
        }
    }

    private static ConfigurableApplicationContext start(String name, String instanceId, String... extra) {
        List<String> props = new ArrayList<>(List.of(
                "spring.application.name=" + name,
                "server.port=0",
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "spring.main.register-shutdown-hook=false",
                "spring.config.import=consul:",
                "spring.cloud.consul.host=127.0.0.1",
                "spring.cloud.consul.port=" + ROSTER.httpPort(),
                // The config watch keeps its default wait (55s): a KV change must wake the parked query.
                "spring.cloud.consul.config.watch.delay=200",
                "spring.cloud.consul.discovery.instance-id=" + instanceId,
                "spring.cloud.consul.discovery.prefer-ip-address=true",
                "spring.cloud.consul.discovery.ip-address=127.0.0.1",
                "spring.cloud.consul.discovery.tags=roster,it",
                "spring.cloud.consul.discovery.catalog-services-watch-delay=200",
                "management.endpoints.web.exposure.include=health"));
        props.addAll(List.of(extra));
        return new SpringApplicationBuilder(DemoApplication.class).properties(props.toArray(String[]::new)).run();
    }

    @BeforeAll
    static void startApplication() throws Exception {
        // Keep the agent's logging as it is: Spring Boot would otherwise reconfigure Logback for the whole JVM.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        put("/v1/kv/config/" + APP + "/greeting", "hello");
        put("/v1/kv/config/application/common-setting", "from-application");
        app = start(APP, APP + "-1", "spring.cloud.consul.discovery.health-check-interval=1s",
                // Discovery asks for passing instances only (?passing=true).
                "spring.cloud.consul.discovery.query-passing=true");
    }

    @AfterAll
    static void stopApplication() {
        if (app != null) {
            app.close();
        }
    }

    private static String put(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(agentUrl(path)))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("PUT %s -> %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(agentUrl(path))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s -> %s", path, r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    private static String agentUrl(String path) {
        return "http://127.0.0.1:" + ROSTER.httpPort() + path;
    }

    private static int port(ConfigurableApplicationContext ctx) {
        return Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
    }

    @Test
    @Order(1)
    void configIsLoadedFromRosterKv() {
        assertThat(app.getBean(Greeter.class).greeting()).isEqualTo("hello");
        assertThat(app.getEnvironment().getProperty("greeting")).isEqualTo("hello");
        assertThat(app.getEnvironment().getProperty("common-setting")).isEqualTo("from-application");
    }

    @Test
    @Order(2)
    void registersItselfWithAnHttpCheckThatRosterRunsAndPasses() throws Exception {
        JsonNode svc = get("/v1/agent/services").get(APP + "-1");
        assertThat(svc).as("registered in the agent").isNotNull();
        assertThat(svc.get("Service").asText()).isEqualTo(APP);
        assertThat(svc.get("Address").asText()).isEqualTo("127.0.0.1");
        assertThat(svc.get("Port").asInt()).isEqualTo(port(app));
        assertThat(svc.get("Meta").get("secure").asText()).isEqualTo("false");
        assertThat(svc.get("Tags")).extracting(JsonNode::asText).contains("roster", "it");

        // Spring's single inline check gets Consul's ID service:<id>; Roster probes /actuator/health.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode check = get("/v1/agent/checks").get("service:" + APP + "-1");
            assertThat(check).isNotNull();
            assertThat(check.get("Type").asText()).isEqualTo("http");
            assertThat(check.get("Status").asText()).as("output: %s", check.get("Output")).isEqualTo("passing");
        });
    }

    @Test
    @Order(3)
    void discoveryClientFindsTheHealthyInstance() {
        DiscoveryClient discovery = app.getBean(DiscoveryClient.class);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(discovery.getServices()).contains(APP, "consul");
            List<ServiceInstance> instances = discovery.getInstances(APP);
            assertThat(instances).singleElement().satisfies(i -> {
                assertThat(i.getInstanceId()).isEqualTo(APP + "-1");
                assertThat(i.getHost()).isEqualTo("127.0.0.1");
                assertThat(i.getPort()).isEqualTo(port(app));
                assertThat(i.isSecure()).isFalse();
            });
        });
    }

    @Test
    @Order(4)
    void aKvChangeAtRuntimeRefreshesTheApplication() throws Exception {
        // The watch long-polls its contexts in turn (config/roster-demo,default/, config/roster-demo/,
        // config/application,default/, config/application/), each with the default 55 s wait, so the
        // refresh arriving well within that wait shows the agent woke the parked queries: the empty
        // context it is parked on first must wake on this write to another key, as Consul's does.
        // (One change per test: while the watch is parked on a context that has keys, a change in
        // another context waits for that wait to end, with Consul as with Roster; see
        // spring-cloud-consul issues #416 and #782.)
        put("/v1/kv/config/" + APP + "/greeting", "bonjour");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(app.getEnvironment().getProperty("greeting")).isEqualTo("bonjour");
            assertThat(app.getBean(Greeter.class).greeting()).isEqualTo("bonjour");
        });
    }

    @Test
    @Order(5)
    void serviceRegistryStatusUsesMaintenanceMode() {
        // Spring's OUT_OF_SERVICE is Consul's service maintenance mode, read back from
        // /v1/health/checks/<service> as a check named "Service Maintenance Mode".
        ConsulServiceRegistry registry = app.getBean(ConsulServiceRegistry.class);
        ConsulRegistration registration = app.getBean(ConsulRegistration.class);
        assertThat(registry.getStatus(registration)).isEqualTo("UP");
        registry.setStatus(registration, "OUT_OF_SERVICE");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(registry.getStatus(registration)).isEqualTo("OUT_OF_SERVICE"));
        DiscoveryClient discovery = app.getBean(DiscoveryClient.class);
        assertThat(discovery.getInstances(APP)).as("an instance in maintenance is not passing").isEmpty();
        registry.setStatus(registration, "UP");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(registry.getStatus(registration)).isEqualTo("UP");
            assertThat(discovery.getInstances(APP)).hasSize(1);
        });
    }

    @Test
    @Order(6)
    void aSecondApplicationWithTtlHeartbeatsIsDiscoveredAndDeregisteredOnClose() throws Exception {
        CatalogHeartbeats heartbeats = app.getBean(CatalogHeartbeats.class);
        int seenBefore = heartbeats.states.size();
        DiscoveryClient discovery = app.getBean(DiscoveryClient.class);
        try (ConfigurableApplicationContext peer = start("roster-peer", "roster-peer-1",
                "spring.cloud.consul.discovery.heartbeat.enabled=true",
                "spring.cloud.consul.discovery.heartbeat.ttl=3s",
                "spring.cloud.consul.config.watch.enabled=false")) {
            // The TTL check starts critical; the heartbeat (PUT /v1/agent/check/pass/service:<id>) makes it pass.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode check = get("/v1/agent/checks").get("service:roster-peer-1");
                assertThat(check).isNotNull();
                assertThat(check.get("Type").asText()).isEqualTo("ttl");
                assertThat(check.get("Status").asText()).isEqualTo("passing");
            });
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(discovery.getInstances("roster-peer")).singleElement()
                            .satisfies(i -> assertThat(i.getPort()).isEqualTo(port(peer))));
            // It stays passing across several TTL periods: the heartbeats keep arriving.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).untilAsserted(() ->
                    assertThat(get("/v1/agent/checks").get("service:roster-peer-1").get("Status").asText())
                            .isEqualTo("passing"));
            // The first application's catalog watch (blocking /v1/catalog/services) saw the catalog move.
            assertThat(heartbeats.states.size()).isGreaterThan(seenBefore);
        }
        assertThat(get("/v1/agent/services").has("roster-peer-1")).as("deregistered on close").isFalse();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(discovery.getInstances("roster-peer")).isEmpty());
    }

    @Test
    @Order(7)
    void closingTheApplicationDeregistersIt() throws Exception {
        app.close();
        app = null;
        assertThat(get("/v1/agent/services").has(APP + "-1")).isFalse();
        assertThat(get("/v1/agent/checks").has("service:" + APP + "-1")).isFalse();
    }
}
