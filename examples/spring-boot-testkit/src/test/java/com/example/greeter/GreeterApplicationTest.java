package com.example.greeter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roster.api.QueryOptions;
import io.roster.api.RosterClient;
import io.roster.api.ServiceDefinition;
import io.roster.api.ServiceEntry;
import io.roster.testkit.RosterTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application against a real Roster started in this JVM by {@link RosterTest}: Spring Cloud
 * Consul reads its configuration from Roster's KV store, registers the application with a health
 * check that Roster runs, and finds other services through Roster's catalog. No Consul binary,
 * no container; Roster's ports are picked free for this run.
 */
@RosterTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GreeterApplicationTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static ConfigurableApplicationContext app;

    @BeforeAll
    static void startApplication(RosterClient roster, URI rosterAddress) {
        // What an operator would have put in Consul before the application starts.
        roster.kv().put("config/greeter/greeting", "hello from Roster".getBytes(StandardCharsets.UTF_8));
        // Command-line arguments: they take precedence over application.properties (localhost:8500).
        app = new SpringApplicationBuilder(GreeterApplication.class).run(
                "--spring.cloud.consul.host=" + rosterAddress.getHost(),
                "--spring.cloud.consul.port=" + rosterAddress.getPort(),
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--spring.cloud.consul.discovery.ip-address=127.0.0.1",
                "--spring.cloud.consul.discovery.health-check-interval=1s",
                "--spring.cloud.consul.config.watch.delay=200");
    }

    @AfterAll
    static void stopApplication() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    @Order(1)
    void theGreetingComesFromKv() throws Exception {
        assertThat(get("/greeting")).isEqualTo("hello from Roster");
    }

    @Test
    @Order(2)
    void theApplicationRegistersItselfAndRosterSeesItHealthy(RosterClient roster) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<ServiceEntry> passing = roster.health().service("greeter", List.of(), true, QueryOptions.DEFAULT).value();
            assertThat(passing).singleElement().satisfies(e -> assertThat(e.service().port()).isEqualTo(port()));
        });
    }

    @Test
    @Order(3)
    void otherServicesAreFoundThroughDiscovery(RosterClient roster) {
        roster.agent().serviceRegister(new ServiceDefinition("billing-1", "billing", null, List.of(), "10.1.2.3", null,
                Map.of(), 9090, null, null, null, null));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get("/instances/billing")).contains("http://10.1.2.3:9090"));
    }

    @Test
    @Order(4)
    void aChangedGreetingIsPickedUpWithoutARestart(RosterClient roster) {
        roster.kv().put("config/greeter/greeting", "hello again".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get("/greeting")).isEqualTo("hello again"));
    }

    private static int port() {
        return Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }
}
