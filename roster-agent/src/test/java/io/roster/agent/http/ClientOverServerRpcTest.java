package io.roster.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.api.testing.TestPorts;
import io.roster.state.WatchSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Client agents reach Raft servers only over the server RPC on the server port: in-process agents
 * on loopback with free ports. A server's HTTP and DNS are bound to another address than its
 * server port, and the test reads the server side in memory, so a count of the server's HTTP socket
 * connections proves the client never used them.
 */
class ClientOverServerRpcTest {
    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Agent a : agents) {
            if (a != null) {
                a.close();
            }
        }
    }

    /** A single-server cluster: bind (server port, gossip) on {@code bind}, HTTP and DNS on {@code clientAddr}. */
    private AgentConfig serverConfig(String name, String bind, String clientAddr, int serverPort, int gossipPort, Path dir) {
        return AgentConfig.builder().server(true).nodeName(name).bindAddr(bind).clientAddr(clientAddr)
                .serverPort(serverPort).serfLanPort(gossipPort).httpPort(0).dnsPort(0).dataDir(dir).bootstrapExpect(1).build();
    }

    private Agent start(AgentConfig c) throws Exception {
        Agent a = new Agent(c).start();
        agents.add(a);
        return a;
    }

    private Agent client(String name, List<String> join, UnaryOperator<AgentConfig.Builder> f) throws Exception {
        return start(f.apply(AgentConfig.builder().nodeName(name).bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                .httpPort(0).dnsPort(0).serfLanPort(0).retryJoin(join)).build());
    }

    private static Http http(Agent a) {
        return new Http(a.httpAddress());
    }

    /**
     * Until the server leads and serves as leader: a lone server answers "No cluster leader" (and
     * names no leader) until its own node is in the catalog, as Consul's before it establishes
     * leadership. (Asked in-process: a test here counts the server's HTTP connections.)
     */
    private void awaitLeader(Agent srv) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> srv.server().replicator().isLeader()
                && srv.registered());
    }

    private static Message dig(Agent a, String name) throws IOException {
        SimpleResolver r = new SimpleResolver("127.0.0.1");
        r.setPort(a.dns().port());
        r.setTimeout(Duration.ofSeconds(5));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
    }

    @Test
    void clientUsesOnlyTheServerPort() throws Exception {
        Path dir = Files.createTempDirectory("roster-rpc-srv");
        Agent srv = start(serverConfig("srv", "127.0.0.2", "127.0.0.3", TestPorts.free(), TestPorts.free(), dir));
        awaitLeader(srv);
        Agent c = client("c1", List.of(srv.gossip().address()), UnaryOperator.identity());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> c.servers().servers().size() == 1);
        assertThat(c.servers().servers()).containsExactly("127.0.0.2:" + srv.config().serverPort());

        // A service registered on the client reaches the server's catalog (anti-entropy over RPC).
        assertThat(http(c).put("/v1/agent/service/register", "{\"Name\":\"web\",\"Port\":8080,\"Address\":\"10.9.8.7\"}").status())
                .isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            var n = srv.store().node(WatchSet.NONE, "c1").value();
            return n != null && n.services().stream().anyMatch(s -> s.service().equals("web"));
        });

        // KV through the client: write, read (headers come back), a blocking query parked on the server.
        assertThat(http(c).put("/v1/kv/cfg/a", "one").text().strip()).isEqualTo("true");
        Http.Reply got = http(c).get("/v1/kv/cfg/a?raw");
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.text()).isEqualTo("one");
        long idx = got.index();
        assertThat(idx).isPositive();
        assertThat(got.headers().firstValue("X-Consul-KnownLeader")).contains("true");
        CompletableFuture<Http.Reply> parked = http(c).getAsync("/v1/kv/cfg/a?raw&index=" + idx + "&wait=30s");
        Awaitility.await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !parked.isDone());
        assertThat(http(c).put("/v1/kv/cfg/a", "two").status()).isEqualTo(200);
        Http.Reply woke = Http.join(parked);
        assertThat(woke.text()).isEqualTo("two");
        assertThat(woke.index()).isGreaterThan(idx);
        // A 404 and its index travel back as well.
        Http.Reply missing = http(c).get("/v1/kv/nope");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.index()).isPositive();

        // A large value and binary bytes survive both ways; HEAD and an error status too.
        byte[] big = new byte[400_000];
        new java.util.Random(7).nextBytes(big);
        assertThat(http(c).put("/v1/kv/big", big).status()).isEqualTo(200);
        assertThat(http(c).get("/v1/kv/big?raw").body()).isEqualTo(big);
        assertThat(http(c).send("HEAD", "/v1/kv/cfg/a", null).status()).isEqualTo(200);
        Http.Reply bad = http(c).put("/v1/kv/big?cas=notanumber", "x");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text().strip()).doesNotContain("\n").doesNotContain("Exception");

        // DNS through the client: the server's resolver answers over RPC.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dig(c, "web.service.consul.").getRcode() == Rcode.NOERROR);
        Message a = dig(c, "web.service.consul.");
        assertThat(a.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("10.9.8.7");
        assertThat(dig(c, "nothing.service.consul.").getRcode()).isEqualTo(Rcode.NXDOMAIN);

        // The server's own HTTP and DNS sockets were never used: everything went over the server port.
        assertThat(srv.http().socketConnections()).isZero();
        assertThat(srv.dns().stats().udpQueries() + srv.dns().stats().tcpQueries()).isZero();
        // ... and the counter does count a socket request (so the zero above means something).
        assertThat(new Http("http://127.0.0.3:" + srv.httpPort()).get("/v1/status/leader").status()).isEqualTo(200);
        assertThat(srv.http().socketConnections()).isPositive();
    }

    @Test
    void theServerRpcServesNoAgentEndpoints() throws Exception {
        Path dir = Files.createTempDirectory("roster-rpc-srv");
        Agent srv = start(serverConfig("srv", "127.0.0.1", "127.0.0.1", TestPorts.free(), TestPorts.free(), dir));
        awaitLeader(srv);
        Agent c = client("c1", List.of(srv.gossip().address()), UnaryOperator.identity());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> c.servers().servers().size() == 1);
        // A client answers its own /v1/agent/*: what it forwards can never reach the server's agent endpoints.
        assertThat(io.roster.agent.rpc.RpcServiceAccess.refusal("/v1/agent/leave")).startsWith("Permission denied");
        assertThat(io.roster.agent.rpc.RpcServiceAccess.refusal("/v1/kv/%2e%2e/agent/leave")).startsWith("Invalid request URI");
        assertThat(io.roster.agent.rpc.RpcServiceAccess.refusal("/v1//agent/self")).startsWith("Permission denied");
        assertThat(io.roster.agent.rpc.RpcServiceAccess.refusal("/v1/%61gent/self")).startsWith("Permission denied");
        assertThat(io.roster.agent.rpc.RpcServiceAccess.refusal("/ui/")).startsWith("Permission denied");
        assertThat(io.roster.agent.rpc.RpcServiceAccess.refusal("/v1/kv/a?recurse")).isNull();
        assertThat(io.roster.agent.rpc.RpcServiceAccess.refusal("/v1/kv/a%2Fb")).isNull();
        assertThat(http(c).get("/v1/status/leader").text()).contains(":" + srv.config().serverPort());
        // A hand-made RPC client asking for the server's agent endpoints is refused, and the server stays up.
        io.roster.gossip.Member fake = new io.roster.gossip.Member("srv", "127.0.0.1", 1,
                java.util.Map.of("role", "consul", "port", Integer.toString(srv.config().serverPort())),
                io.roster.gossip.MemberState.ALIVE, 1);
        try (io.roster.agent.rpc.RpcClient rpc = new io.roster.agent.rpc.RpcClient(
                new io.roster.agent.client.ServerList(() -> List.of(fake), "dc1"))) {
            for (String path : List.of("/v1/agent/leave", "/v1/agent/service/register", "/v1/event/fire/x")) {
                var r = rpc.forward(new io.roster.agent.rpc.RpcProtocol.HttpRequest("PUT", path, List.of(), new byte[0]), false)
                        .future().get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.status()).as(path).isEqualTo(403);
            }
            var ok = rpc.forward(new io.roster.agent.rpc.RpcProtocol.HttpRequest("GET", "/v1/catalog/nodes", List.of(), new byte[0]), true)
                    .future().get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.contentType()).startsWith("application/json");
            assertThat(ok.header("X-Consul-Index")).isNotNull();
        }
        assertThat(srv.server().replicator().isLeader()).isTrue();
    }

    @Test
    void clientRecoversWhenTheServerRestarts() throws Exception {
        Path dir = Files.createTempDirectory("roster-rpc-srv");
        AgentConfig sc = serverConfig("srv", "127.0.0.1", "127.0.0.1", TestPorts.free(), TestPorts.free(), dir);
        Agent srv = start(sc);
        awaitLeader(srv);
        Agent c = client("c1", List.of(srv.gossip().address()), UnaryOperator.identity());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> c.servers().servers().size() == 1);
        assertThat(http(c).put("/v1/kv/keep", "me").status()).isEqualTo(200);

        srv.close();
        agents.remove(srv);
        Http.Reply down = http(c).get("/v1/kv/keep?raw");
        assertThat(down.status()).isEqualTo(500);
        assertThat(down.text()).doesNotContain("Exception").doesNotContain("\tat ");

        Agent again = start(sc);
        awaitLeader(again);
        // Gossip may have declared the server failed meanwhile: join it again, as retry_join would.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (c.servers().servers().isEmpty()) {
                http(c).put("/v1/agent/join/" + again.gossip().address());
                return false;
            }
            return true;
        });
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> http(c).get("/v1/kv/keep?raw").status() == 200);
        assertThat(http(c).get("/v1/kv/keep?raw").text()).isEqualTo("me");
        assertThat(http(c).put("/v1/kv/after", "restart").status()).isEqualTo(200);
    }

    @Test
    void clientFailsOverWhenItsServerDies() throws Exception {
        List<Integer> ports = new ArrayList<>();
        List<Integer> serf = new ArrayList<>();
        List<String> gossip = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports.add(TestPorts.free());
            serf.add(TestPorts.free());
            gossip.add("127.0.0.1:" + serf.get(i)); // servers join each other's gossip addresses, as Consul's
        }
        List<Agent> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path dir = Files.createTempDirectory("roster-rpc-srv" + i);
            servers.add(start(AgentConfig.builder().server(true).nodeName("s" + i).bindAddr("127.0.0.1").clientAddr("127.0.0.1")
                    .serverPort(ports.get(i)).serfLanPort(serf.get(i)).httpPort(0).dnsPort(-1).dataDir(dir).bootstrapExpect(3)
                    .retryJoin(gossip).build()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> servers.stream().anyMatch(s -> s.server().replicator().isLeader()));
        Agent c = client("c1", List.of(servers.get(0).gossip().address()), UnaryOperator.identity());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> c.servers().servers().size() == 3);
        assertThat(http(c).put("/v1/kv/before", "1").status()).isEqualTo(200);

        // Stop the server the client prefers (leader or not): the next calls go to another one.
        String preferred = c.servers().servers().getFirst();
        Agent victim = servers.stream().filter(s -> preferred.endsWith(":" + s.config().serverPort())).findFirst().orElseThrow();
        victim.close();
        agents.remove(victim);
        // Gossip still shows the victim alive for a while: the RPC client must step past it by itself.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> http(c).put("/v1/kv/after", "2").status() == 200);
        assertThat(http(c).get("/v1/kv/before?raw").text()).isEqualTo("1");
        assertThat(http(c).get("/v1/kv/after?raw").text()).isEqualTo("2");
        assertThat(c.servers().servers().getFirst()).isNotEqualTo(preferred);
    }
}
