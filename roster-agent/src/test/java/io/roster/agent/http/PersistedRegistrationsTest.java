package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.testing.TestPorts;
import io.roster.state.WatchSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client agent with a data_dir keeps the services and checks registered through its HTTP API
 * across a restart (Consul's {@code services/} and {@code checks/}); deregistration removes them
 * for good; a corrupt file is skipped. In-process agents on loopback with free ports.
 */
class PersistedRegistrationsTest {
    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Agent a : agents) {
            a.close();
        }
    }

    private Agent start(AgentConfig c) throws Exception {
        Agent a = new Agent(c).start();
        agents.add(a);
        return a;
    }

    private Agent client(Agent srv, Path dir) throws Exception {
        Agent c = start(AgentConfig.builder().nodeName("c1").bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                .httpPort(0).dnsPort(-1).serfLanPort(0).dataDir(dir).retryJoin(List.of(srv.gossip().address())).build());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> c.servers().servers().size() == 1);
        return c;
    }

    private void restart(Agent c) {
        c.close();
        agents.remove(c);
    }

    private static boolean inCatalog(Agent srv, String service) {
        var n = srv.store().node(WatchSet.NONE, "c1").value();
        return n != null && n.services().stream().anyMatch(s -> s.service().equals(service));
    }

    @Test
    void apiRegistrationsSurviveARestartAndDeregistrationsToo() throws Exception {
        Path srvDir = Files.createTempDirectory("roster-persist-srv");
        Path dir = Files.createTempDirectory("roster-persist-client");
        Agent srv = start(AgentConfig.builder().server(true).nodeName("srv").bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                .serverPort(TestPorts.free()).serfLanPort(TestPorts.free()).httpPort(0).dnsPort(-1).dataDir(srvDir).bootstrapExpect(1).build());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> srv.server().replicator().isLeader() && srv.registered());

        Agent c = client(srv, dir);
        Http h = new Http(c.httpAddress());
        assertThat(h.put("/v1/agent/service/register",
                "{\"Name\":\"web\",\"ID\":\"web-1\",\"Port\":8080,\"Check\":{\"TTL\":\"30s\"}}").status()).isEqualTo(200);
        assertThat(h.put("/v1/agent/service/register", "{\"Name\":\"db\",\"Port\":5432}").status()).isEqualTo(200);
        assertThat(h.put("/v1/agent/check/register", "{\"Name\":\"disk\",\"TTL\":\"1m\"}").status()).isEqualTo(200);
        try (Stream<Path> files = Files.list(dir.resolve("services"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".json")).count()).isEqualTo(2);
        }
        restart(c);

        // A corrupt file beside the good ones is skipped; the start does not fail.
        Files.writeString(dir.resolve("services").resolve("0000corrupt.json"), "{\"Name\": ");
        Agent again = client(srv, dir);
        assertThat(again.local().services()).containsKeys("web-1", "db");
        assertThat(again.local().checks()).containsKeys("service:web-1", "disk");
        assertThat(again.local().checks().get("service:web-1").serviceId()).isEqualTo("web-1");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> inCatalog(srv, "web") && inCatalog(srv, "db"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                srv.store().serviceChecks(WatchSet.NONE, "web").value().stream()
                        .anyMatch(hc -> hc.node().equals("c1") && hc.checkId().equals("service:web-1")));

        Http h2 = new Http(again.httpAddress());
        assertThat(h2.put("/v1/agent/service/deregister/db").status()).isEqualTo(200);
        assertThat(h2.put("/v1/agent/check/deregister/disk").status()).isEqualTo(200);
        restart(again);

        Agent third = client(srv, dir);
        assertThat(third.local().services()).containsKey("web-1").doesNotContainKey("db");
        assertThat(third.local().checks()).containsKey("service:web-1").doesNotContainKey("disk");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> inCatalog(srv, "web") && !inCatalog(srv, "db"));
    }
}
