package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Two datacenters in one JVM: a dev agent in {@code dc1} (with a client agent joined to it) and one
 * in {@code dc2}, their WAN pools joined on loopback (free ports, bound by the agents). Requests
 * naming the other datacenter ({@code ?dc=}, a catalog write's {@code Datacenter}) are answered by
 * the other datacenter's server over the server RPC, blocking queries included; DNS names with the
 * other datacenter are answered by its resolver; an unknown datacenter answers Consul's error.
 */
class MultiDatacenterTest {
    private static final List<Agent> AGENTS = new ArrayList<>();
    private static Agent dc1;
    private static Agent dc2;
    private static Agent client1;

    @BeforeAll
    static void start() throws Exception {
        dc1 = start(AgentConfig.builder().dev(true).datacenter("dc1").nodeName("one").httpPort(0).dnsPort(0));
        dc2 = start(AgentConfig.builder().dev(true).datacenter("dc2").nodeName("two").httpPort(0).dnsPort(0));
        dc1.wan().join(List.of(dc2.wan().address()));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> dc1.wan().members().size() == 2
                && dc2.wan().members().size() == 2);
        client1 = start(AgentConfig.builder().datacenter("dc1").nodeName("client-one").bindAddr("127.0.0.1")
                .clientAddr("127.0.0.1").httpPort(0).dnsPort(0).serfLanPort(0).serfWanPort(-1)
                .translateWanAddrs(true).retryJoin(List.of(dc1.gossip().address())));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !client1.servers().servers().isEmpty());
    }

    private static Agent start(AgentConfig.Builder b) throws Exception {
        Agent a = new Agent(b.build()).start();
        AGENTS.add(a);
        return a;
    }

    @AfterAll
    static void stop() {
        for (int i = AGENTS.size() - 1; i >= 0; i--) {
            AGENTS.get(i).close();
        }
    }

    private static Http http(Agent a) {
        return new Http(a.httpAddress());
    }

    @Test
    void wanMembersAreTheServersOfBothDatacenters() {
        JsonNode m = http(dc1).get("/v1/agent/members?wan=1").json();
        List<String> names = new ArrayList<>();
        m.forEach(n -> names.add(n.get("Name").asText()));
        // (another test adds a dc3 server and stops it)
        assertThat(names.stream().filter(n -> !n.endsWith(".dc3")).toList()).containsExactlyInAnyOrder("one.dc1", "two.dc2");
        m.forEach(n -> {
            String name = n.get("Name").asText();
            if (!name.endsWith(".dc3")) {
                assertThat(n.get("Port").asInt()).isEqualTo(name.equals("one.dc1") ? dc1.wan().port() : dc2.wan().port());
            }
        });
        // The LAN pool is not the WAN pool: dc1's LAN has its server and the client, not dc2's server.
        List<String> lan = new ArrayList<>();
        http(dc1).get("/v1/agent/members").json().forEach(n -> lan.add(n.get("Name").asText()));
        assertThat(lan).contains("one").doesNotContain("two", "two.dc2");
        // A client agent has no WAN pool.
        assertThat(http(client1).get("/v1/agent/members?wan=1").json()).isEmpty();
        assertThat(http(client1).put("/v1/agent/join/127.0.0.1?wan=1").text()).contains("Must be a server to join WAN cluster");
    }

    @Test
    void datacentersListsBothLocalFirst() {
        JsonNode d = http(dc1).get("/v1/catalog/datacenters").json();
        assertThat(d.get(0).asText()).isEqualTo("dc1");
        assertThat(d.toString()).contains("\"dc2\"");
        JsonNode d2 = http(dc2).get("/v1/catalog/datacenters").json();
        assertThat(d2.get(0).asText()).isEqualTo("dc2");
    }

    @Test
    void coordinateDatacentersListsEachDatacentersServersWithWanCoordinates() {
        // The other datacenter's server has a coordinate once this one has probed it over the WAN.
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode dcs = http(dc1).get("/v1/coordinate/datacenters").json();
            List<String> names = new ArrayList<>();
            dcs.forEach(d -> names.add(d.get("Datacenter").asText()));
            assertThat(names.stream().filter(n -> !n.equals("dc3")).toList()).containsExactly("dc1", "dc2");
            for (JsonNode d : dcs) {
                assertThat(d.get("AreaID").asText()).isEqualTo("wan");
                String dc = d.get("Datacenter").asText();
                if (!dc.equals("dc3")) {
                    assertThat(d.get("Coordinates")).hasSize(1);
                    JsonNode c = d.get("Coordinates").get(0);
                    assertThat(c.get("Node").asText()).isEqualTo((dc.equals("dc1") ? "one" : "two") + "." + dc);
                    assertThat(c.get("Coord").get("Vec")).hasSize(8);
                }
            }
        });
        // Through the client agent: its servers answer.
        assertThat(http(client1).get("/v1/coordinate/datacenters").json().get(0).get("Datacenter").asText()).isEqualTo("dc1");
    }

    @Test
    void kvByDcIsTheOtherDatacentersKv() {
        Http one = http(dc1);
        assertThat(one.put("/v1/kv/multi/where?dc=dc2", "in-dc2").text()).isEqualTo("true");
        // Written in dc2, not in dc1.
        assertThat(http(dc2).get("/v1/kv/multi/where?raw").text()).isEqualTo("in-dc2");
        assertThat(one.get("/v1/kv/multi/where").status()).isEqualTo(404);
        Http.Reply r = one.get("/v1/kv/multi/where?dc=dc2&raw").assertReadHeaders();
        assertThat(r.text()).isEqualTo("in-dc2");
        // The index is dc2's.
        assertThat(r.index()).isEqualTo(http(dc2).get("/v1/kv/multi/where").index());
        // Through a client agent of dc1: its server forwards on.
        assertThat(http(client1).get("/v1/kv/multi/where?dc=dc2&raw").text()).isEqualTo("in-dc2");
        assertThat(http(client1).put("/v1/kv/multi/from-client?dc=dc2", "c").text()).isEqualTo("true");
        assertThat(http(dc2).get("/v1/kv/multi/from-client?raw").text()).isEqualTo("c");
        // A transaction by ?dc= runs there.
        String txn = "[{\"KV\":{\"Verb\":\"set\",\"Key\":\"multi/txn\",\"Value\":\"" + Http.b64("t") + "\"}}]";
        assertThat(one.put("/v1/txn?dc=dc2", txn).status()).isEqualTo(200);
        assertThat(http(dc2).get("/v1/kv/multi/txn?raw").text()).isEqualTo("t");
        assertThat(one.get("/v1/kv/multi/txn").status()).isEqualTo(404);
    }

    @Test
    void blockingQueryAcrossDatacentersIsWokenByTheRemoteWrite() throws Exception {
        Http one = http(dc1);
        one.put("/v1/kv/multi/blocking?dc=dc2", "v1");
        long index = one.get("/v1/kv/multi/blocking?dc=dc2").index();
        CompletableFuture<Http.Reply> parked = one.getAsync("/v1/kv/multi/blocking?dc=dc2&index=" + index + "&wait=60s");
        // It is parked on dc2's server, not here.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dc2.http().blocking().parked() >= 1);
        assertThat(dc1.http().blocking().parked()).isZero();
        assertThat(parked).isNotDone();
        http(dc2).put("/v1/kv/multi/blocking", "v2");
        Http.Reply r = parked.get(20, TimeUnit.SECONDS);
        assertThat(r.index()).isGreaterThan(index);
        assertThat(Http.unb64(r.json().get(0).get("Value"))).isEqualTo("v2");
    }

    @Test
    void catalogWriteWithDatacenterInTheBodyRunsThere() {
        Http one = http(dc1);
        String reg = "{\"Datacenter\":\"dc2\",\"Node\":\"ext-node\",\"Address\":\"10.20.0.5\","
                + "\"Service\":{\"Service\":\"ext-web\",\"Port\":8080}}";
        assertThat(one.put("/v1/catalog/register", reg).text()).isEqualTo("true");
        assertThat(http(dc2).get("/v1/catalog/node/ext-node").status()).isEqualTo(200);
        assertThat(one.get("/v1/catalog/node/ext-node").text()).isEqualTo("null");
        JsonNode remote = one.get("/v1/catalog/service/ext-web?dc=dc2").json();
        assertThat(remote.size()).isEqualTo(1);
        assertThat(remote.get(0).get("Datacenter").asText()).isEqualTo("dc2");
        assertThat(remote.get(0).get("Address").asText()).isEqualTo("10.20.0.5");
        assertThat(one.put("/v1/catalog/deregister", "{\"Datacenter\":\"dc2\",\"Node\":\"ext-node\"}").text()).isEqualTo("true");
        assertThat(http(dc2).get("/v1/catalog/node/ext-node").text()).isEqualTo("null");
    }

    @Test
    void translateWanAddrsGivesTheOtherDatacentersWanAddresses() {
        assertThat(http(dc2).put("/v1/catalog/register", "{\"Node\":\"tr-node\",\"Address\":\"10.20.0.11\","
                + "\"TaggedAddresses\":{\"lan\":\"10.20.0.11\",\"wan\":\"203.0.113.11\"},"
                + "\"Service\":{\"Service\":\"tr-web\",\"Address\":\"10.20.0.12\",\"Port\":80,"
                + "\"TaggedAddresses\":{\"wan\":{\"Address\":\"203.0.113.12\",\"Port\":8080}}}}").text()).isEqualTo("true");
        // client1 has translate_wan_addrs: another datacenter's answers carry the wan addresses.
        Http.Reply cat = http(client1).get("/v1/catalog/service/tr-web?dc=dc2");
        assertThat(cat.header("X-Consul-Translate-Addresses")).contains("true");
        assertThat(cat.json().get(0).get("Address").asText()).isEqualTo("203.0.113.11");
        assertThat(cat.json().get(0).get("ServiceAddress").asText()).isEqualTo("203.0.113.12");
        assertThat(cat.json().get(0).get("ServicePort").asInt()).as("the wan port (TranslateServicePort)").isEqualTo(8080);
        JsonNode health = http(client1).get("/v1/health/service/tr-web?dc=dc2").json().get(0);
        assertThat(health.get("Node").get("Address").asText()).isEqualTo("203.0.113.11");
        assertThat(health.get("Service").get("Address").asText()).isEqualTo("203.0.113.12");
        assertThat(health.get("Service").get("Port").asInt()).isEqualTo(8080);
        // wan_ipv4 wins over wan, as Consul's TranslateAddress picks it for any family.
        assertThat(http(dc2).put("/v1/catalog/register", "{\"Node\":\"tr-v4\",\"Address\":\"10.20.0.13\","
                + "\"TaggedAddresses\":{\"lan_ipv4\":\"10.20.0.13\",\"wan\":\"wan.example\",\"wan_ipv4\":\"203.0.113.13\"}}")
                .text()).isEqualTo("true");
        assertThat(http(client1).get("/v1/catalog/node/tr-v4?dc=dc2").json().get("Node").get("Address").asText())
                .isEqualTo("203.0.113.13");
        assertThat(http(client1).get("/v1/catalog/node/tr-node?dc=dc2").json().get("Node").get("Address").asText())
                .isEqualTo("203.0.113.11");
        // dc1's server does not translate, and nothing is translated for this datacenter's own reads.
        assertThat(http(dc1).get("/v1/catalog/service/tr-web?dc=dc2").json().get(0).get("Address").asText()).isEqualTo("10.20.0.11");
        assertThat(http(dc1).get("/v1/catalog/service/tr-web?dc=dc2").header("X-Consul-Translate-Addresses")).isEmpty();
    }

    @Test
    void unknownDatacenterHasNoPath() {
        http(dc1).get("/v1/kv/x?dc=dc9").assertOneLineError(500);
        assertThat(http(dc1).get("/v1/kv/x?dc=dc9").text().strip()).isEqualTo("No path to datacenter");
        assertThat(http(client1).get("/v1/catalog/nodes?dc=dc9").text().strip()).isEqualTo("No path to datacenter");
        assertThat(http(dc1).put("/v1/catalog/register", "{\"Datacenter\":\"dc9\",\"Node\":\"n\",\"Address\":\"1.2.3.4\"}")
                .text().strip()).isEqualTo("No path to datacenter");
    }

    @Test
    void aDatacenterWhoseServerIsGoneHasNoPathAndComesBack() throws Exception {
        Agent dc3 = new Agent(AgentConfig.builder().dev(true).datacenter("dc3").nodeName("three").httpPort(0).dnsPort(-1).build()).start();
        try {
            dc1.wan().join(List.of(dc3.wan().address()));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> http(dc1).get("/v1/kv/gone?dc=dc3").status() == 404);
        } finally {
            dc3.close();
        }
        // Its WAN member may still look alive here: the forwarded call finds no server and answers Consul's error.
        Http.Reply r = http(dc1).get("/v1/kv/gone?dc=dc3");
        r.assertOneLineError(500);
        assertThat(r.text().strip()).isEqualTo("No path to datacenter");
        assertThat(http(client1).get("/v1/kv/gone?dc=dc3").text().strip()).isEqualTo("No path to datacenter");
        // dc1 and dc2 are unaffected.
        assertThat(http(dc1).put("/v1/kv/still-here", "1").text()).isEqualTo("true");
        assertThat(http(dc1).get("/v1/kv/still-here?dc=dc2").status()).isEqualTo(404);
    }

    @Test
    void dnsNamesInTheOtherDatacenter() throws Exception {
        Http two = http(dc2);
        assertThat(two.put("/v1/catalog/register", "{\"Node\":\"dns-node\",\"Address\":\"10.20.0.7\","
                + "\"Service\":{\"Service\":\"dns-web\",\"Port\":80}}").text()).isEqualTo("true");
        for (Agent asker : List.of(dc1, client1)) {
            Message m = dig(asker, "dns-web.service.dc2.consul.");
            assertThat(m.getRcode()).as("rcode via " + asker.config().nodeName()).isEqualTo(Rcode.NOERROR);
            assertThat(addresses(m)).containsExactly("10.20.0.7");
            Message node = dig(asker, "dns-node.node.dc2.consul.");
            assertThat(addresses(node)).containsExactly("10.20.0.7");
            // Not in dc1.
            assertThat(dig(asker, "dns-web.service.dc1.consul.").getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(dig(asker, "dns-web.service.consul.").getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
        assertThat(dig(dc1, "dns-web.service.dc9.consul.").getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void dnsGivesTheOtherDatacentersWanAddressesToAnAgentWithTranslateWanAddrs() throws Exception {
        assertThat(http(dc2).put("/v1/catalog/register", "{\"Node\":\"dtr-node\",\"Address\":\"10.20.0.21\","
                + "\"TaggedAddresses\":{\"lan\":\"10.20.0.21\",\"lan_ipv4\":\"10.20.0.21\",\"wan\":\"203.0.113.21\","
                + "\"wan_ipv4\":\"203.0.113.22\"},\"Service\":{\"Service\":\"dtr-web\",\"Port\":80}}").text()).isEqualTo("true");
        assertThat(http(dc2).put("/v1/catalog/register", "{\"Node\":\"dtr-node\",\"Address\":\"10.20.0.21\","
                + "\"TaggedAddresses\":{\"lan\":\"10.20.0.21\",\"lan_ipv4\":\"10.20.0.21\",\"wan\":\"203.0.113.21\","
                + "\"wan_ipv4\":\"203.0.113.22\"},\"Service\":{\"Service\":\"dtr-svc\",\"Address\":\"10.20.0.23\",\"Port\":81,"
                + "\"TaggedAddresses\":{\"wan\":{\"Address\":\"203.0.113.23\",\"Port\":8081}}}}").text()).isEqualTo("true");
        // client1 has translate_wan_addrs: wan_ipv4 for A (Consul's TranslateAddress), the service's wan address and port.
        assertThat(addresses(dig(client1, "dtr-node.node.dc2.consul."))).containsExactly("203.0.113.22");
        assertThat(addresses(dig(client1, "dtr-web.service.dc2.consul."))).containsExactly("203.0.113.22");
        Message svc = dig(client1, "dtr-svc.service.dc2.consul.");
        assertThat(addresses(svc)).containsExactly("203.0.113.23");
        // The option that carried client1's datacenter does not come back; nor an OPT record for a question without one.
        assertThat(svc.getOPT() == null ? List.of() : svc.getOPT().getOptions(65431 /* QueryHandler.ASKER_DC_OPTION */)).isEmpty();
        SimpleResolver plain = new SimpleResolver("127.0.0.1");
        plain.setPort(client1.dns().port());
        plain.setEDNS(-1);
        plain.setTimeout(Duration.ofSeconds(5));
        Message noOpt = plain.send(Message.newQuery(Record.newRecord(Name.fromString("dtr-svc.service.dc2.consul."), Type.A, DClass.IN)));
        assertThat(noOpt.getOPT()).isNull();
        assertThat(addresses(noOpt)).containsExactly("203.0.113.23");
        Message srv = dig(client1, "dtr-svc.service.dc2.consul.", Type.SRV);
        assertThat(srv.getSection(Section.ANSWER)).hasSize(1);
        assertThat(((org.xbill.DNS.SRVRecord) srv.getSection(Section.ANSWER).get(0)).getPort()).isEqualTo(8081);
        // dc1's server has it off: the LAN addresses (lan_ipv4 for A), as the other datacenter has them.
        assertThat(addresses(dig(dc1, "dtr-node.node.dc2.consul."))).containsExactly("10.20.0.21");
        assertThat(addresses(dig(dc1, "dtr-svc.service.dc2.consul."))).containsExactly("10.20.0.23");
        assertThat(((org.xbill.DNS.SRVRecord) dig(dc1, "dtr-svc.service.dc2.consul.", Type.SRV).getSection(Section.ANSWER).get(0))
                .getPort()).isEqualTo(81);
        // This datacenter's own nodes are never translated, and lan_ipv4 wins for A where it differs from Address.
        assertThat(http(dc1).put("/v1/catalog/register", "{\"Node\":\"own-node\",\"Address\":\"10.10.0.41\","
                + "\"TaggedAddresses\":{\"lan_ipv4\":\"10.10.0.42\",\"wan\":\"203.0.113.41\"}}").text()).isEqualTo("true");
        assertThat(addresses(dig(client1, "own-node.node.consul."))).containsExactly("10.10.0.42");
    }

    @Test
    void dnsPreparedQueryFailsOverToTheOtherDatacenter() throws Exception {
        Http one = http(dc1);
        assertThat(one.put("/v1/catalog/register", "{\"Node\":\"dq-local\",\"Address\":\"10.10.0.51\","
                + "\"Service\":{\"ID\":\"dq-web\",\"Service\":\"dq-web\",\"Port\":80},"
                + "\"Check\":{\"CheckID\":\"dq-check\",\"Name\":\"dq\",\"ServiceID\":\"dq-web\",\"Status\":\"critical\"}}")
                .text()).isEqualTo("true");
        assertThat(http(dc2).put("/v1/catalog/register", "{\"Node\":\"dq-remote\",\"Address\":\"10.20.0.51\","
                + "\"TaggedAddresses\":{\"wan\":\"203.0.113.51\"},\"Service\":{\"Service\":\"dq-web\",\"Port\":80}}")
                .text()).isEqualTo("true");
        assertThat(one.send("POST", "/v1/query", "{\"Name\":\"dq-near\",\"Service\":{\"Service\":\"dq-web\",\"Failover\":{\"NearestN\":1}}}"
                .getBytes()).status()).isEqualTo(200);
        assertThat(one.send("POST", "/v1/query", "{\"Name\":\"dq-stay\",\"Service\":{\"Service\":\"dq-web\"}}"
                .getBytes()).status()).isEqualTo(200);
        // The local instance is critical: the query's failover answers dc2's instance, in DNS as over HTTP.
        assertThat(addresses(dig(dc1, "dq-near.query.consul."))).containsExactly("10.20.0.51");
        // Through the client (translate_wan_addrs): the failed-over instance is in another datacenter, so its wan address.
        assertThat(addresses(dig(client1, "dq-near.query.consul."))).containsExactly("203.0.113.51");
        assertThat(dig(dc1, "dq-stay.query.consul.").getRcode()).isEqualTo(Rcode.NXDOMAIN);
        // Passing again: answered here.
        assertThat(one.put("/v1/catalog/register", "{\"Node\":\"dq-local\",\"Address\":\"10.10.0.51\","
                + "\"Service\":{\"ID\":\"dq-web\",\"Service\":\"dq-web\",\"Port\":80},"
                + "\"Check\":{\"CheckID\":\"dq-check\",\"Name\":\"dq\",\"ServiceID\":\"dq-web\",\"Status\":\"passing\"}}")
                .text()).isEqualTo("true");
        assertThat(addresses(dig(dc1, "dq-near.query.consul."))).containsExactly("10.10.0.51");
        assertThat(addresses(dig(client1, "dq-near.query.consul."))).containsExactly("10.10.0.51");
    }

    @Test
    void preparedQueryFailsOverToTheOtherDatacenterAndBack() {
        Http one = http(dc1);
        String check = "\"Check\":{\"CheckID\":\"pq-check\",\"Name\":\"pq\",\"ServiceID\":\"pq-web\",\"Status\":\"%s\"}";
        String local = "{\"Node\":\"pq-local\",\"Address\":\"10.10.0.9\",\"Service\":{\"ID\":\"pq-web\",\"Service\":\"pq-web\",\"Port\":80},"
                + check + "}";
        assertThat(one.put("/v1/catalog/register", local.formatted("critical")).text()).isEqualTo("true");
        assertThat(http(dc2).put("/v1/catalog/register", "{\"Node\":\"pq-remote\",\"Address\":\"10.20.0.9\","
                + "\"Service\":{\"Service\":\"pq-web\",\"Port\":80}}").text()).isEqualTo("true");
        for (String failover : List.of("{\"NearestN\":1}", "{\"Datacenters\":[\"dc9\",\"dc2\"]}",
                "{\"Targets\":[{\"Datacenter\":\"dc9\"},{\"Datacenter\":\"dc2\"}]}")) {
            String id = one.send("POST", "/v1/query", ("{\"Name\":\"pq-" + (failover.contains("Nearest") ? "near"
                    : failover.contains("Targets") ? "targets" : "list")
                    + "\",\"Service\":{\"Service\":\"pq-web\",\"Failover\":" + failover + "}}").getBytes()).json().get("ID").asText();
            JsonNode r = one.get("/v1/query/" + id + "/execute").json();
            assertThat(r.get("Datacenter").asText()).as(failover).isEqualTo("dc2");
            assertThat(r.get("Failovers").asInt()).as(failover).isEqualTo(1);
            assertThat(r.get("Nodes").size()).isEqualTo(1);
            assertThat(r.get("Nodes").get(0).get("Node").get("Node").asText()).isEqualTo("pq-remote");
            assertThat(r.get("Nodes").get(0).get("Node").get("Datacenter").asText()).isEqualTo("dc2");
        }
        // Through client1 (translate_wan_addrs): the failed-over answer is another datacenter's, so translated.
        assertThat(http(dc2).put("/v1/catalog/register", "{\"Node\":\"pq-remote\",\"Address\":\"10.20.0.9\","
                + "\"TaggedAddresses\":{\"wan\":\"203.0.113.9\"},\"Service\":{\"Service\":\"pq-web\",\"Port\":80}}").text())
                .isEqualTo("true");
        Http.Reply viaClient = http(client1).get("/v1/query/pq-near/execute");
        assertThat(viaClient.header("X-Consul-Translate-Addresses")).contains("true");
        assertThat(viaClient.json().get("Nodes").get(0).get("Node").get("Address").asText()).isEqualTo("203.0.113.9");
        assertThat(one.get("/v1/query/pq-near/execute").json().get("Nodes").get(0).get("Node").get("Address").asText())
                .as("dc1's server has translate_wan_addrs off").isEqualTo("10.20.0.9");
        // A query without failover answers nothing.
        String none = one.send("POST", "/v1/query", "{\"Name\":\"pq-none\",\"Service\":{\"Service\":\"pq-web\"}}".getBytes())
                .json().get("ID").asText();
        JsonNode empty = one.get("/v1/query/" + none + "/execute").json();
        assertThat(empty.get("Nodes").size()).isZero();
        assertThat(empty.get("Failovers").asInt()).isZero();
        // The local instance passes again: answered here, no failover.
        assertThat(one.put("/v1/catalog/register", local.formatted("passing")).text()).isEqualTo("true");
        JsonNode back = one.get("/v1/query/pq-near/execute").json();
        assertThat(back.get("Datacenter").asText()).isEqualTo("dc1");
        assertThat(back.get("Failovers").asInt()).isZero();
        assertThat(back.get("Nodes").get(0).get("Node").get("Node").asText()).isEqualTo("pq-local");
        assertThat(http(client1).get("/v1/query/pq-near/execute").header("X-Consul-Translate-Addresses")).isEmpty();
    }

    private static List<String> addresses(Message m) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) {
                out.add(a.getAddress().getHostAddress());
            }
        }
        return out;
    }

    private static Message dig(Agent a, String name) throws IOException {
        return dig(a, name, Type.A);
    }

    private static Message dig(Agent a, String name, int type) throws IOException {
        SimpleResolver r = new SimpleResolver("127.0.0.1");
        r.setPort(a.dns().port());
        r.setTimeout(Duration.ofSeconds(5));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }
}
