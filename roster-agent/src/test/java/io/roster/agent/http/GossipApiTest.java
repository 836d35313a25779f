package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Gossip wired into agents, in one JVM: a dev agent (the server) and client agents joined to it over
 * real UDP/TCP on loopback ports chosen by the OS. Covers {@code /v1/agent/members}, {@code join},
 * {@code force-leave}, events, the keyring, client-agent forwarding and anti-entropy through a
 * server, and the leader's reconciliation (failed member: serfHealth critical; left: deregistered).
 */
class GossipApiTest {
    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Agent a : agents) {
            a.close();
        }
    }

    private Agent dev(String name, UnaryOperator<AgentConfig.Builder> f) throws Exception {
        Agent a = new Agent(f.apply(AgentConfig.builder().dev(true).httpPort(0).dnsPort(-1).nodeName(name)).build()).start();
        agents.add(a);
        return a;
    }

    private Agent client(String name, Agent server, UnaryOperator<AgentConfig.Builder> f) throws Exception {
        Agent a = new Agent(f.apply(AgentConfig.builder().httpPort(0).dnsPort(-1).nodeName(name).bindAddr("127.0.0.1")
                .serfLanPort(0).retryJoin(server == null ? List.of() : List.of(server.gossip().address()))).build()).start();
        agents.add(a);
        return a;
    }

    private static Http http(Agent a) {
        return new Http(a.httpAddress());
    }

    private static JsonNode serfHealth(Agent server, String node) {
        for (JsonNode c : http(server).get("/v1/health/node/" + node).json()) {
            if (c.path("CheckID").asText().equals("serfHealth")) {
                return c;
            }
        }
        return null;
    }

    @Test
    void devAgentIsAMemberOfItsOwnPoolWithConsulTags() throws Exception {
        Agent a = dev("solo", UnaryOperator.identity());
        JsonNode members = http(a).get("/v1/agent/members").json();
        assertThat(members).hasSize(1);
        JsonNode m = members.get(0);
        assertThat(m.path("Name").asText()).isEqualTo("solo");
        assertThat(m.path("Addr").asText()).isEqualTo("127.0.0.1");
        assertThat(m.path("Port").asInt()).isPositive().isNotEqualTo(8301); // dev: an ephemeral port
        assertThat(m.path("Status").asInt()).isEqualTo(1);
        assertThat(m.path("Tags").path("role").asText()).isEqualTo("consul");
        assertThat(m.path("Tags").path("dc").asText()).isEqualTo("dc1");
        assertThat(m.path("Tags").path("port").asText()).isEqualTo("8300");
        assertThat(m.path("Tags").path("http").asText()).isEqualTo("127.0.0.1:" + a.httpPort());
        assertThat(m.path("Tags").path("id").asText()).isNotEmpty();
        for (String f : List.of("ProtocolMin", "ProtocolMax", "ProtocolCur", "DelegateMin", "DelegateMax", "DelegateCur")) {
            assertThat(m.has(f)).as(f).isTrue();
        }
        assertThat(http(a).get("/v1/agent/members?wan=1").json()).hasSize(1);
        // The leader's reconciliation keeps the dev node's serfHealth as registerServer wrote it.
        JsonNode serf = serfHealth(a, "solo");
        assertThat(serf.path("Status").asText()).isEqualTo("passing");
        assertThat(serf.path("Output").asText()).isEqualTo("Agent alive and reachable");
        assertThat(serf.path("Name").asText()).isEqualTo("Serf Health Status");
    }

    @Test
    void clientAgentsForwardSyncAndAreReconciled() throws Exception {
        Agent srv = dev("srv", UnaryOperator.identity());
        Agent c1 = client("c1", srv, UnaryOperator.identity());
        Agent c2 = client("c2", srv, UnaryOperator.identity());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> http(srv).get("/v1/agent/members").json().size() == 3
                && http(c1).get("/v1/agent/members").json().size() == 3);

        // A client agent's own service reaches the servers' catalog through anti-entropy.
        assertThat(http(c1).put("/v1/agent/service/register", "{\"Name\":\"web\",\"Port\":80}").status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> http(srv).get("/v1/health/service/web").json().size() == 1);
        // ... and reads on a client agent are forwarded to a server (with its headers).
        Http.Reply viaClient = http(c2).get("/v1/health/service/web");
        assertThat(viaClient.status()).isEqualTo(200);
        assertThat(viaClient.json().get(0).path("Node").path("Node").asText()).isEqualTo("c1");
        assertThat(viaClient.header("X-Consul-Index")).isPresent();
        assertThat(http(c2).put("/v1/kv/from-client", "v").text().strip()).isEqualTo("true");
        assertThat(http(srv).get("/v1/kv/from-client?raw").text()).isEqualTo("v");
        // A blocking query through the client agent parks on the server and wakes on a change.
        long idx = http(c2).get("/v1/kv/from-client").index();
        var parked = http(c2).getAsync("/v1/kv/from-client?index=" + idx + "&wait=20s");
        Thread.sleep(300);
        http(srv).put("/v1/kv/from-client", "w");
        assertThat(Http.join(parked).status()).isEqualTo(200);

        // Every member is a catalog node with a passing serfHealth, its node ID from the id tag.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> serfHealth(srv, "c2") != null);
        assertThat(serfHealth(srv, "c1").path("Status").asText()).isEqualTo("passing");
        String c1Id = http(c1).get("/v1/agent/members").json().findValues("Tags").stream()
                .filter(t -> t.path("role").asText().equals("node")).map(t -> t.path("id").asText()).toList().toString();
        assertThat(c1Id).contains(http(srv).get("/v1/catalog/node/c1").json().path("Node").path("ID").asText());

        // An event fired on one agent reaches every agent exactly once.
        Http.Reply fired = http(c1).put("/v1/event/fire/deploy", "v42");
        assertThat(fired.status()).isEqualTo(200);
        String id = fired.json().path("ID").asText();
        assertThat(fired.json().path("Name").asText()).isEqualTo("deploy");
        assertThat(new String(Base64.getDecoder().decode(fired.json().path("Payload").asText()))).isEqualTo("v42");
        assertThat(fired.json().path("Version").asInt()).isEqualTo(1);
        for (Agent a : List.of(srv, c1, c2)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> http(a).get("/v1/event/list?name=deploy").json().size() == 1);
            Http.Reply list = http(a).get("/v1/event/list");
            assertThat(list.json().findValuesAsText("ID")).containsExactly(id);
            assertThat(list.header("X-Consul-Index")).isPresent();
        }
        // Filters are applied by each receiver: only c1 has "web".
        http(srv).put("/v1/event/fire/only-web?service=web", "");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> http(c1).get("/v1/event/list?name=only-web").json().size() == 1);
        Thread.sleep(1000);
        assertThat(http(c2).get("/v1/event/list?name=only-web").json()).isEmpty();
        assertThat(http(srv).get("/v1/event/list?name=only-web").json()).isEmpty();

        // A graceful leave deregisters the node.
        c2.leave().get();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> http(srv).get("/v1/catalog/node/c2").json().isNull());

        // A crash (no leave) turns serfHealth critical, and the node's services with it.
        long killed = System.nanoTime();
        c1.close();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "critical".equals(serfHealth(srv, "c1").path("Status").asText()));
        System.out.printf("GossipApiTest: crash to serfHealth critical in %d ms%n", (System.nanoTime() - killed) / 1_000_000);
        assertThat(serfHealth(srv, "c1").path("Output").asText()).isEqualTo("Agent not live or unreachable");
        assertThat(http(srv).get("/v1/health/service/web?passing").json()).isEmpty();
        assertThat(http(srv).get("/v1/health/service/web").json()).hasSize(1);

        // force-leave of the failed member: left, then deregistered.
        assertThat(http(srv).put("/v1/agent/force-leave/c1").status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> http(srv).get("/v1/catalog/node/c1").json().isNull());
        assertThat(http(srv).put("/v1/agent/force-leave/nobody").status()).isEqualTo(500);
    }

    @Test
    void clientAgentDnsAsksTheServers() throws Exception {
        Agent srv = dev("dsrv", b -> b.dnsPort(0));
        Agent c = client("dclient", srv, b -> b.dnsPort(0));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> http(c).get("/v1/agent/members").json().size() == 2);
        assertThat(http(c).put("/v1/agent/service/register", "{\"Name\":\"api\",\"Port\":9000,\"Address\":\"10.1.2.3\"}").status())
                .isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> http(srv).get("/v1/health/service/api").json().size() == 1);
        org.xbill.DNS.SimpleResolver resolver = new org.xbill.DNS.SimpleResolver("127.0.0.1");
        resolver.setPort(c.dns().port());
        resolver.setTimeout(Duration.ofSeconds(5));
        org.xbill.DNS.Message q = org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                org.xbill.DNS.Name.fromString("api.service.consul."), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN));
        org.xbill.DNS.Message a = resolver.send(q);
        assertThat(a.getRcode()).isEqualTo(org.xbill.DNS.Rcode.NOERROR);
        assertThat(a.getSection(org.xbill.DNS.Section.ANSWER)).extracting(r -> r.rdataToString()).containsExactly("10.1.2.3");
    }

    @Test
    void clientAgentWithoutServersAnswersNoKnownServers() throws Exception {
        Agent lonely = client("lonely", null, UnaryOperator.identity());
        Http.Reply r = http(lonely).get("/v1/catalog/nodes");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.text()).contains("No known Consul servers");
        assertThat(http(lonely).get("/v1/agent/self").json().path("Config").path("Server").asBoolean()).isFalse();
        assertThat(http(lonely).get("/v1/agent/members").json().get(0).path("Tags").path("role").asText()).isEqualTo("node");
    }

    @Test
    void keyringAndWrongKey() throws Exception {
        String k1 = Base64.getEncoder().encodeToString(new byte[32]);
        byte[] other = new byte[32];
        other[0] = 1;
        String k2 = Base64.getEncoder().encodeToString(other);
        Agent srv = dev("ksrv", b -> b.encrypt(k1));
        Agent good = client("kgood", srv, b -> b.encrypt(k1));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> http(srv).get("/v1/agent/members").json().size() == 2);

        // A server lists its WAN pool (only servers: itself) before its LAN pool, as Consul's does.
        JsonNode ring = http(srv).get("/v1/operator/keyring").json();
        assertThat(ring).hasSize(2);
        assertThat(ring.get(0).path("WAN").asBoolean()).isTrue();
        assertThat(ring.get(0).path("NumNodes").asInt()).isEqualTo(1);
        assertThat(ring.get(0).path("Keys").path(k1).asInt()).isEqualTo(1);
        assertThat(ring.get(1).path("WAN").asBoolean()).isFalse();
        assertThat(ring.get(1).path("Datacenter").asText()).isEqualTo("dc1");
        assertThat(ring.get(1).path("NumNodes").asInt()).isEqualTo(2);
        assertThat(ring.get(1).path("Keys").path(k1).asInt()).isEqualTo(2);
        assertThat(ring.get(1).path("PrimaryKeys").path(k1).asInt()).isEqualTo(2);

        assertThat(http(srv).send("POST", "/v1/operator/keyring", ("{\"Key\":\"" + k2 + "\"}").getBytes()).status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> http(good).get("/v1/operator/keyring").json().get(0).path("Keys").path(k2).asInt() == 2);
        assertThat(http(srv).send("DELETE", "/v1/operator/keyring", ("{\"Key\":\"" + k1 + "\"}").getBytes()).status())
                .as("the primary key cannot be removed").isEqualTo(500);
        assertThat(http(srv).send("POST", "/v1/operator/keyring", "{\"Key\":\"not-base64!\"}".getBytes()).status()).isEqualTo(400);

        // An agent with a key the pool does not hold cannot join, and says so.
        Agent stranger = client("stranger", null, b -> b.encrypt(Base64.getEncoder().encodeToString(new byte[16])));
        Http.Reply r = http(stranger).put("/v1/agent/join/" + srv.gossip().address());
        r.assertOneLineError(500);
        assertThat(r.text()).contains("Error joining address");
        assertThat(http(srv).get("/v1/agent/members").json()).hasSize(2);

        // Without encryption the keyring endpoint errors.
        Agent plain = dev("plain", UnaryOperator.identity());
        assertThat(http(plain).get("/v1/operator/keyring").status()).isEqualTo(500);
    }
}
