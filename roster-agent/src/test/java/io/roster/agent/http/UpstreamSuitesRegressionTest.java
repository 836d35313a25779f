package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.agent.http.Http.Reply;
import io.roster.api.testing.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What node-consul's acceptance suite and python-consul's test suite caught when they were run
 * against Roster (their code stays out of this repository; each behaviour is pinned here, with
 * the Consul behaviour that decides it).
 */
class UpstreamSuitesRegressionTest {
    @RegisterExtension
    static final TestAgent AGENT = TestAgent.dev(b -> b.nodeName("suite-node").datacenter("dc1"));

    private static Http http() {
        return AGENT.http();
    }

    // ---------------------------------------------------------------- durations as JSON numbers

    @Test
    void checkDurationsMayBeJsonNumbersOfNanoseconds() {
        // python-consul's Check.script(args, 10) / Check.ttl sends numbers; Consul's CheckType decoder reads nanoseconds.
        Reply r = http().put("/v1/agent/check/register",
                "{\"Name\":\"num-ttl\",\"TTL\":30000000000,\"DeregisterCriticalServiceAfter\":600000000000}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(http().get("/v1/agent/checks").json().has("num-ttl")).isTrue();
        Reply svc = http().put("/v1/agent/service/register",
                "{\"Name\":\"num-svc\",\"Check\":{\"HTTP\":\"http://127.0.0.1:1/\",\"Interval\":10,\"Timeout\":1.5e9}}");
        assertThat(svc.status()).as(svc.text()).isEqualTo(200);
        assertThat(http().get("/v1/agent/checks").json().has("service:num-svc")).isTrue();
        // A string without a unit is still Go's error, as in Consul.
        Reply bad = http().put("/v1/agent/check/register", "{\"Name\":\"bad\",\"TTL\":\"10\"}");
        bad.assertOneLineError(400);
        assertThat(bad.text()).contains("missing unit in duration");
        http().put("/v1/agent/check/deregister/num-ttl");
        http().put("/v1/agent/service/deregister/num-svc");
    }

    // ---------------------------------------------------------------- Datacenter in bodies

    @Test
    void catalogWritesForAnotherDatacenterHaveNoPath() {
        Reply reg = http().put("/v1/catalog/register", "{\"Datacenter\":\"dc2\",\"Node\":\"far\",\"Address\":\"10.1.10.11\"}");
        reg.assertOneLineError(500);
        assertThat(reg.text().trim()).isEqualTo("No path to datacenter");
        assertThat(http().get("/v1/catalog/node/far").text().trim()).isEqualTo("null");
        // python-consul sends the field in lower case.
        assertThat(http().put("/v1/catalog/register", "{\"datacenter\":\"dc2\",\"node\":\"far\",\"address\":\"10.1.10.11\"}")
                .status()).isEqualTo(500);
        assertThat(http().put("/v1/catalog/register", "{\"Datacenter\":\"dc1\",\"Node\":\"near\",\"Address\":\"10.1.10.12\"}")
                .status()).isEqualTo(200);
        assertThat(http().put("/v1/catalog/deregister", "{\"Datacenter\":\"dc2\",\"Node\":\"near\"}").status()).isEqualTo(500);
        assertThat(http().get("/v1/catalog/node/near").json().path("Node").path("Node").asText()).isEqualTo("near");
        assertThat(http().put("/v1/catalog/deregister", "{\"Node\":\"near\"}").status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- agent/self

    @Test
    void selfReportsConsulStatsAndRealCounts() {
        JsonNode before = http().get("/v1/agent/self").json();
        assertThat(before.has("xDS")).as("no xDS server, so no xDS key (Consul omits it)").isFalse();
        JsonNode consul = before.path("Stats").path("consul");
        assertThat(consul.path("server").asText()).isEqualTo("true");
        assertThat(consul.path("leader").asText()).isEqualTo("true");
        assertThat(consul.path("bootstrap").asText()).isEqualTo("true");
        assertThat(consul.path("known_datacenters").asText()).isEqualTo("1");
        String leader = http().get("/v1/status/leader").json().asText();
        assertThat(consul.path("leader_addr").asText()).isEqualTo(leader).isNotEmpty();
        assertThat(http().get("/v1/status/peers").json().toString()).contains(leader);
        assertThat(before.path("Stats").path("raft").path("state").asText()).isEqualTo("Leader");

        int services = before.path("Stats").path("agent").path("services").asInt();
        int ttls = before.path("Stats").path("agent").path("check_ttls").asInt();
        int checks = before.path("Stats").path("agent").path("checks").asInt();
        assertThat(http().put("/v1/agent/service/register", "{\"Name\":\"counted\",\"Check\":{\"TTL\":\"30s\"}}").status())
                .isEqualTo(200);
        JsonNode agent = http().get("/v1/agent/self").json().path("Stats").path("agent");
        assertThat(agent.path("services").asText()).isEqualTo(Integer.toString(services + 1));
        assertThat(agent.path("check_ttls").asText()).isEqualTo(Integer.toString(ttls + 1));
        assertThat(agent.path("checks").asText()).isEqualTo(Integer.toString(checks + 1));
        http().put("/v1/agent/service/deregister/counted");
        assertThat(http().get("/v1/agent/self").json().path("Stats").path("agent").path("services").asText())
                .isEqualTo(Integer.toString(services));
    }

    // ---------------------------------------------------------------- WAN-flavoured agent calls

    @Test
    void wanMembersAreTheServersNamedNodeDotDatacenter() {
        JsonNode wan = http().get("/v1/agent/members?wan=1").json();
        assertThat(wan).hasSize(1);
        assertThat(wan.get(0).path("Name").asText()).isEqualTo("suite-node.dc1");
        assertThat(wan.get(0).path("Status").asInt()).isEqualTo(1);
        assertThat(http().get("/v1/agent/members").json().get(0).path("Name").asText()).isEqualTo("suite-node");
        http().get("/v1/agent/members?wan=1&segment=alpha").assertOneLineError(400);
    }

    @Test
    void wanJoinOfASingleDatacenterServer() {
        // The server is the only member of its own WAN pool: joining its own WAN address succeeds.
        assertThat(http().put("/v1/agent/join/" + AGENT.agent().wan().address() + "?wan=1").status()).isEqualTo(200);
        assertThat(http().get("/v1/agent/members?wan=1").json().size()).isEqualTo(1);
        // An address where no server answers: a one-line 500.
        http().put("/v1/agent/join/192.0.2.1:8302?wan=1").assertOneLineError(500);
    }

    // ---------------------------------------------------------------- raft configuration index

    @Test
    void raftConfigurationIndexIsTheConfigurationsNotTheLatestWrite() {
        JsonNode before = http().get("/v1/operator/raft/configuration").json();
        for (int i = 0; i < 3; i++) {
            assertThat(http().put("/v1/kv/raft-index/" + i, "x").status()).isEqualTo(200);
        }
        JsonNode after = http().get("/v1/operator/raft/configuration").json();
        assertThat(after.path("Index").asLong()).isEqualTo(before.path("Index").asLong()).isEqualTo(1);
        assertThat(after.path("Servers").get(0).path("Leader").asBoolean()).isTrue();
        assertThat(after.path("Servers").get(0).path("Voter").asBoolean()).isTrue();
    }

    // ---------------------------------------------------------------- register/sync ordering

    @Test
    void agentWritesAreInTheCatalogWhenTheyAnswer() {
        // Consul's agent endpoints call syncChanges() before answering: no read right after misses the change.
        for (int round = 0; round < 5; round++) {
            String id = "synced-" + round;
            assertThat(http().put("/v1/agent/service/register",
                    "{\"Name\":\"synced\",\"ID\":\"" + id + "\",\"Check\":{\"TTL\":\"30s\"}}").status()).isEqualTo(200);
            assertThat(ids(http().get("/v1/health/service/synced").json())).contains(id);
            assertThat(ids(http().get("/v1/health/service/synced?passing").json())).doesNotContain(id);
            assertThat(http().put("/v1/agent/check/pass/service:" + id).status()).isEqualTo(200);
            assertThat(ids(http().get("/v1/health/service/synced?passing").json())).contains(id);
            assertThat(http().put("/v1/agent/service/maintenance/" + id + "?enable=true").status()).isEqualTo(200);
            assertThat(ids(http().get("/v1/health/service/synced?passing").json())).doesNotContain(id);
            assertThat(http().put("/v1/agent/service/deregister/" + id).status()).isEqualTo(200);
            assertThat(ids(http().get("/v1/health/service/synced").json())).doesNotContain(id);
        }
        assertThat(http().put("/v1/agent/check/register", "{\"Name\":\"node-level\",\"TTL\":\"30s\"}").status()).isEqualTo(200);
        assertThat(http().get("/v1/health/node/suite-node").text()).contains("node-level");
        assertThat(http().put("/v1/agent/check/deregister/node-level").status()).isEqualTo(200);
        assertThat(http().get("/v1/health/node/suite-node").text()).doesNotContain("node-level");
    }

    private static List<String> ids(JsonNode entries) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : entries) {
            out.add(e.path("Service").path("ID").asText());
        }
        return out;
    }

    // ---------------------------------------------------------------- Connect disabled, config entries, autopilot

    @Test
    void connectRoutesAnswerAsAConsulWithConnectDisabled() {
        Reply roots = http().get("/v1/connect/ca/roots");
        roots.assertOneLineError(500);
        assertThat(roots.text().trim()).isEqualTo("Connect must be enabled in order to use this endpoint");
        http().get("/v1/discovery-chain/web").assertOneLineError(500);
        http().get("/v1/agent/connect/ca/roots").assertOneLineError(500);
        for (String path : List.of("/v1/catalog/connect/web", "/v1/health/connect/web", "/v1/health/ingress/web",
                "/v1/catalog/gateway-services/gw")) {
            Reply empty = http().get(path);
            assertThat(empty.status()).as(path).isEqualTo(200);
            assertThat(empty.json().isArray() && empty.json().isEmpty()).as(path).isTrue();
            empty.assertReadHeaders();
        }

        Reply list = http().get("/v1/config/service-defaults");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().isArray()).isTrue();
        assertThat(list.json()).isEmpty();
        list.assertReadHeaders();
        Reply one = http().get("/v1/config/service-defaults/web");
        one.assertOneLineError(404);
        assertThat(one.text()).contains("Config entry not found for \"service-defaults\" / \"web\"");
        http().get("/v1/config/no-such-kind").assertOneLineError(400);
    }

    @Test
    void autopilotAnswersFromRaftState() {
        JsonNode cfg = http().get("/v1/operator/autopilot/configuration").json();
        assertThat(cfg.path("CleanupDeadServers").asBoolean()).isTrue();
        assertThat(cfg.path("LastContactThreshold").asText()).isEqualTo("200ms");
        assertThat(cfg.path("MaxTrailingLogs").asLong()).isEqualTo(250);
        assertThat(cfg.path("ServerStabilizationTime").asText()).isEqualTo("10s");

        Reply health = http().get("/v1/operator/autopilot/health");
        assertThat(health.status()).isEqualTo(200);
        JsonNode h = health.json();
        assertThat(h.path("Healthy").asBoolean()).isTrue();
        assertThat(h.path("FailureTolerance").asInt()).isZero();
        assertThat(h.path("Servers")).hasSize(1);
        JsonNode s = h.path("Servers").get(0);
        assertThat(s.path("Name").asText()).isEqualTo("suite-node");
        assertThat(s.path("Leader").asBoolean()).isTrue();
        assertThat(s.path("SerfStatus").asText()).isEqualTo("alive");
        assertThat(s.path("Address").asText()).isEqualTo(http().get("/v1/status/leader").json().asText());
        assertThat(s.path("LastIndex").asLong()).isPositive();

        JsonNode state = http().get("/v1/operator/autopilot/state").json();
        assertThat(state.path("Healthy").asBoolean()).isTrue();
        String leader = state.path("Leader").asText();
        assertThat(state.path("Voters").toString()).contains(leader);
        assertThat(state.path("Servers").path(leader).path("Status").asText()).isEqualTo("leader");
    }

    // ---------------------------------------------------------------- own node before HTTP

    @Test
    void aLoneServerIsInTheCatalogOnceItsWritesAreAccepted() throws Exception {
        int raft = TestPorts.free();
        Path dir = Files.createTempDirectory("roster-lone-server");
        try (Agent a = new Agent(AgentConfig.builder().server(true).bootstrapExpect(1).nodeName("lone").httpPort(0)
                .dnsPort(-1).serverPort(raft).serfLanPort(0).bindAddr("127.0.0.1").dataDir(dir).build()).start()) {
            Http h = new Http(a.httpAddress());
            // python-consul's conftest (and Roster's own cluster tests) wait for /v1/status/leader and
            // then write at once; node-consul's hook retries a KV write. Before its node is registered,
            // a lone server names no leader and refuses writes as a Consul server does before it has
            // established leadership (500 No cluster leader); once it names one, writes are taken.
            String leader = "";
            for (int i = 0; i < 600 && leader.isEmpty(); i++) {
                Reply kv = h.put("/v1/kv/early", "x");
                if (kv.status() != 200) {
                    kv.assertOneLineError(500);
                    assertThat(kv.text().trim()).isEqualTo("No cluster leader");
                }
                leader = h.get("/v1/status/leader").json().asText();
                if (leader.isEmpty()) {
                    Thread.sleep(50);
                }
            }
            assertThat(leader).isEqualTo("127.0.0.1:" + raft);
            Reply kv = h.put("/v1/kv/check", "ok");
            assertThat(kv.status()).as(kv.text()).isEqualTo(200);
            Reply created = h.put("/v1/session/create", "{\"Name\":\"first\"}");
            assertThat(created.status()).as(created.text()).isEqualTo(200);
            assertThat(h.get("/v1/health/node/lone").text()).contains("serfHealth");
            // The agent's own routes never wait for that.
            assertThat(h.get("/v1/agent/self").status()).isEqualTo(200);
            // On Raft (Ratis) too, the configuration index does not move with writes.
            long confIndex = h.get("/v1/operator/raft/configuration").json().path("Index").asLong();
            assertThat(confIndex).isPositive();
            for (int i = 0; i < 3; i++) {
                assertThat(h.put("/v1/kv/lone/" + i, "x").status()).isEqualTo(200);
            }
            assertThat(h.get("/v1/operator/raft/configuration").json().path("Index").asLong()).isEqualTo(confIndex);
            JsonNode self = h.get("/v1/agent/self").json().path("Stats");
            assertThat(self.path("raft").path("latest_configuration_index").asText()).isEqualTo(Long.toString(confIndex));
            assertThat(self.path("raft").path("state").asText()).isEqualTo("Leader");
            assertThat(self.path("consul").path("leader_addr").asText()).isEqualTo("127.0.0.1:" + raft);
            // Autopilot reads Ratis: the lone leader is healthy, its last index that of its log.
            Reply health = h.get("/v1/operator/autopilot/health");
            assertThat(health.status()).as(health.text()).isEqualTo(200);
            JsonNode srv = health.json().path("Servers").get(0);
            assertThat(srv.path("Leader").asBoolean()).isTrue();
            assertThat(srv.path("Name").asText()).isEqualTo("lone");
            assertThat(srv.path("LastIndex").asLong()).isGreaterThan(confIndex);
            assertThat(srv.path("LastTerm").asLong()).isPositive();
        }
    }
}
