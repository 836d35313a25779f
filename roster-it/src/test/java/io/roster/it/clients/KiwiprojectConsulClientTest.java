package io.roster.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.net.HostAndPort;
import io.roster.testkit.RosterExtension;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kiwiproject.consul.AgentClient;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.ConsulException;
import org.kiwiproject.consul.HealthClient;
import org.kiwiproject.consul.KeyValueClient;
import org.kiwiproject.consul.NotRegisteredException;
import org.kiwiproject.consul.SessionClient;
import org.kiwiproject.consul.cache.KVCache;
import org.kiwiproject.consul.cache.ServiceHealthCache;
import org.kiwiproject.consul.cache.ServiceHealthKey;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.State;
import org.kiwiproject.consul.model.agent.Agent;
import org.kiwiproject.consul.model.agent.FullService;
import org.kiwiproject.consul.model.agent.ImmutableRegistration;
import org.kiwiproject.consul.model.agent.Registration;
import org.kiwiproject.consul.model.catalog.CatalogService;
import org.kiwiproject.consul.model.catalog.ImmutableCatalogDeregistration;
import org.kiwiproject.consul.model.catalog.ImmutableCatalogRegistration;
import org.kiwiproject.consul.model.health.HealthCheck;
import org.kiwiproject.consul.model.health.ImmutableService;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.kiwiproject.consul.model.kv.Operation;
import org.kiwiproject.consul.model.kv.TxResponse;
import org.kiwiproject.consul.model.kv.Value;
import org.kiwiproject.consul.model.kv.Verb;
import org.kiwiproject.consul.model.session.ImmutableSession;
import org.kiwiproject.consul.model.session.SessionInfo;
import org.kiwiproject.consul.option.ImmutablePutOptions;
import org.kiwiproject.consul.option.QueryOptions;

/**
 * kiwiproject's {@code org.kiwiproject:consul-client} 1.12.1 (the maintained Orbitz fork) used
 * unchanged against Roster. It sends KV keys with {@code /} percent-encoded as {@code %2F}, reads
 * {@code X-Consul-Index} on every answer, and its caches ({@link KVCache},
 * {@link ServiceHealthCache}) long-poll with {@code wait=Ns&index=N}: a missing or zero index
 * would make them spin, so the tests also check that a quiet cache really waits in the agent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KiwiprojectConsulClientTest {
    /** The agent's node name, as the client sees it in the catalog. */
    static final String NODE = "it-node";

    @RegisterExtension
    static final RosterExtension ROSTER = RosterExtension.dev().nodeName(NODE).withoutDns();

    /**
     * The caches' blocking wait: longer than any wait for a change below (10 s), so a change can only
     * be seen in time if it wakes the parked query, not by the query timing out and polling again.
     */
    private static final int WATCH_SECONDS = 20;

    private static Consul consul;

    @BeforeAll
    static void connect() {
        // build() pings /v1/agent/self, so this already proves the agent answers it in a shape the client accepts.
        // The read timeout must exceed the caches' wait, as kiwiproject's docs ask (it refuses otherwise).
        consul = Consul.builder().withHostAndPort(HostAndPort.fromParts("127.0.0.1", ROSTER.httpPort()))
                .withReadTimeoutMillis(30_000).build();
    }

    @AfterAll
    static void disconnect() {
        if (consul != null) {
            consul.destroy();
        }
    }

    private static ImmutableRegistration ttlService(String id, String name, int port, String... tags) {
        return ImmutableRegistration.builder().id(id).name(name).address("127.0.0.1").port(port)
                .addTags(tags).check(Registration.RegCheck.ttl(30)).putMeta("team", "kiwi").build();
    }

    @Test
    void kvWithSlashesSentAsPercent2F() {
        KeyValueClient kv = consul.keyValueClient();
        assertThat(kv.putValue("kiwi/kv/a", "one")).isTrue();
        assertThat(kv.putValue("kiwi/kv/b/c", "two", 7L)).isTrue();
        assertThat(kv.getValueAsString("kiwi/kv/a")).contains("one");

        Value c = kv.getValue("kiwi/kv/b/c").orElseThrow();
        assertThat(c.getKey()).isEqualTo("kiwi/kv/b/c");
        assertThat(c.getFlags()).isEqualTo(7L);
        assertThat(c.getValueAsString()).contains("two");
        assertThat(c.getCreateIndex()).isPositive();
        assertThat(c.getModifyIndex()).isEqualTo(c.getCreateIndex());

        ConsulResponse<Value> withIndex = kv.getConsulResponseWithValue("kiwi/kv/a").orElseThrow();
        assertThat(withIndex.getIndex()).isEqualTo(BigInteger.valueOf(withIndex.getResponse().getModifyIndex()));
        assertThat(withIndex.isKnownLeader()).isTrue();

        assertThat(kv.getValues("kiwi/kv")).extracting(Value::getKey).containsExactly("kiwi/kv/a", "kiwi/kv/b/c");
        assertThat(kv.getValuesAsString("kiwi/kv")).containsExactly("one", "two");
        assertThat(kv.getKeys("kiwi/kv/")).containsExactly("kiwi/kv/a", "kiwi/kv/b/c");
        assertThat(kv.getKeys("kiwi/kv/", "/")).containsExactly("kiwi/kv/a", "kiwi/kv/b/");

        assertThat(kv.getValue("kiwi/kv/none")).isEmpty();
        assertThat(kv.getValues("kiwi/nothing/")).isEmpty();

        kv.deleteKey("kiwi/kv/a");
        assertThat(kv.getValue("kiwi/kv/a")).isEmpty();
        kv.deleteKeys("kiwi/kv");
        assertThat(kv.getValues("kiwi/kv")).isEmpty();
    }

    @Test
    void kvKeysWithCharactersThatNeedEncoding() {
        // Retrofit percent-encodes these (and "/" as %2F) in the path; Consul decodes them into the key.
        KeyValueClient kv = consul.keyValueClient();
        List<String> keys = List.of("kiwi/odd/with space", "kiwi/odd/plus+sign", "kiwi/odd/question?mark",
                "kiwi/odd/hash#tag", "kiwi/odd/percent%41", "kiwi/odd/ümlaut", "kiwi/odd/semi;colon",
                "kiwi/odd/double//slash");
        for (String k : keys) {
            assertThat(kv.putValue(k, "v:" + k)).as("put %s", k).isTrue();
            assertThat(kv.getValueAsString(k)).as("get %s", k).contains("v:" + k);
        }
        assertThat(kv.getKeys("kiwi/odd/")).containsExactlyInAnyOrderElementsOf(keys);
        kv.deleteKeys("kiwi/odd/");
        assertThat(kv.getKeys("kiwi/odd/")).isEmpty();
    }

    @Test
    void kvTransaction() {
        KeyValueClient kv = consul.keyValueClient();
        ConsulResponse<TxResponse> r = kv.performTransaction(
                Operation.builder(Verb.SET).key("kiwi/txn/a").value("1").build(),
                Operation.builder(Verb.SET).key("kiwi/txn/b").value("2").build(),
                Operation.builder(Verb.GET).key("kiwi/txn/a").build());
        assertThat(r.getResponse().results()).hasSize(3);
        assertThat(r.getResponse().results().get(2).get("KV").getValueAsString()).contains("1");
        assertThat(r.getResponse().errors()).isEmpty();
        assertThat(kv.getValuesAsString("kiwi/txn/")).containsExactly("1", "2");

        long index = kv.getValue("kiwi/txn/a").orElseThrow().getModifyIndex();
        assertThatThrownBy(() -> kv.performTransaction(
                Operation.builder(Verb.CHECK_AND_SET).key("kiwi/txn/a").value("x").index(BigInteger.valueOf(index + 99)).build()))
                .as("a failed transaction is a 409").isInstanceOf(ConsulException.class)
                .satisfies(e -> assertThat(((ConsulException) e).getCode()).isEqualTo(409));
        assertThat(kv.getValueAsString("kiwi/txn/a")).contains("1");
        kv.deleteKeys("kiwi/txn/");
    }

    @Test
    void kvCheckAndSet() {
        KeyValueClient kv = consul.keyValueClient();
        assertThat(kv.putValue("kiwi/cas/k", "v1", 0, ImmutablePutOptions.builder().cas(0L).build())).isTrue();
        assertThat(kv.putValue("kiwi/cas/k", "v1b", 0, ImmutablePutOptions.builder().cas(0L).build())).isFalse();
        long index = kv.getValue("kiwi/cas/k").orElseThrow().getModifyIndex();
        assertThat(kv.putValue("kiwi/cas/k", "old", 0, ImmutablePutOptions.builder().cas(index + 100).build())).isFalse();
        assertThat(kv.putValue("kiwi/cas/k", "v2", 0, ImmutablePutOptions.builder().cas(index).build())).isTrue();
        assertThat(kv.getValueAsString("kiwi/cas/k")).contains("v2");
        kv.deleteKey("kiwi/cas/k");
    }

    @Test
    void sessionsAndLocks() {
        SessionClient sessions = consul.sessionClient();
        KeyValueClient kv = consul.keyValueClient();
        String s1 = sessions.createSession(ImmutableSession.builder().name("kiwi-lock").ttl("10s")
                .lockDelay("1s").behavior("release").build()).getId();
        String s2 = sessions.createSession(ImmutableSession.builder().name("kiwi-other").build()).getId();

        SessionInfo info = sessions.getSessionInfo(s1).orElseThrow();
        assertThat(info.getId()).isEqualTo(s1);
        assertThat(info.getName()).contains("kiwi-lock");
        assertThat(info.getNode()).isEqualTo(NODE);
        assertThat(info.getTtl()).contains("10s");
        assertThat(info.getBehavior()).isEqualTo("release");
        assertThat(sessions.listSessions()).extracting(SessionInfo::getId).contains(s1, s2);
        assertThat(sessions.renewSession(s1)).get().extracting(SessionInfo::getId).isEqualTo(s1);

        assertThat(kv.acquireLock("kiwi/lock/leader", "me", s1)).isTrue();
        assertThat(kv.acquireLock("kiwi/lock/leader", "you", s2)).isFalse();
        assertThat(kv.getSession("kiwi/lock/leader")).contains(s1);
        Value held = kv.getValue("kiwi/lock/leader").orElseThrow();
        assertThat(held.getLockIndex()).isEqualTo(1);
        assertThat(held.getSession()).contains(s1);
        assertThat(kv.releaseLock("kiwi/lock/leader", s2)).as("only the holder releases").isFalse();
        assertThat(kv.releaseLock("kiwi/lock/leader", s1)).isTrue();
        assertThat(kv.getSession("kiwi/lock/leader")).isEmpty();

        sessions.destroySession(s1);
        sessions.destroySession(s2);
        assertThat(sessions.getSessionInfo(s1)).isEmpty();
        assertThatThrownBy(() -> sessions.renewSession(s1)).isInstanceOf(ConsulException.class)
                .satisfies(e -> assertThat(((ConsulException) e).getCode()).isEqualTo(404));
        kv.deleteKeys("kiwi/lock");
    }

    @Test
    void agentRegistrationTtlChecksAndHealth() throws Exception {
        AgentClient agent = consul.agentClient();
        HealthClient health = consul.healthClient();
        agent.register(ttlService("kiwi-web-1", "kiwi-web", 8081, "blue"));
        assertThat(agent.isRegistered("kiwi-web-1")).isTrue();
        assertThat(agent.getServices()).containsKey("kiwi-web-1");
        assertThat(agent.getChecks()).containsKey("service:kiwi-web-1");

        ConsulResponse<FullService> full = agent.getService("kiwi-web-1", QueryOptions.BLANK);
        assertThat(full.getResponse().getService()).isEqualTo("kiwi-web");
        assertThat(full.getResponse().getContentHash()).isNotBlank();
        assertThat(full.getResponse().getMeta()).containsEntry("team", "kiwi");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(health.getAllServiceInstances("kiwi-web").getResponse()).hasSize(1));
        assertThat(health.getHealthyServiceInstances("kiwi-web").getResponse()).isEmpty();

        agent.pass("kiwi-web-1", "ok");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(health.getHealthyServiceInstances("kiwi-web").getResponse()).hasSize(1));
        ServiceHealth sh = health.getHealthyServiceInstances("kiwi-web").getResponse().get(0);
        assertThat(sh.getService().getId()).isEqualTo("kiwi-web-1");
        assertThat(sh.getService().getPort()).isEqualTo(8081);
        assertThat(sh.getService().getTags()).containsExactly("blue");
        assertThat(sh.getNode().getNode()).isEqualTo(NODE);
        assertThat(sh.getChecks()).extracting(HealthCheck::getCheckId).contains("service:kiwi-web-1");

        agent.warn("kiwi-web-1", "slow");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(health.getChecksByState(State.WARN).getResponse())
                        .extracting(HealthCheck::getCheckId).contains("service:kiwi-web-1"));
        agent.fail("kiwi-web-1", "down");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(health.getHealthyServiceInstances("kiwi-web").getResponse()).isEmpty());
        assertThat(health.getServiceChecks("kiwi-web").getResponse()).singleElement()
                .satisfies(hc -> assertThat(hc.getOutput()).contains("down"));

        agent.registerCheck("kiwi-extra", "extra", 30L);
        agent.passCheck("kiwi-extra");
        assertThat(agent.getChecks().get("kiwi-extra").getStatus()).isEqualTo("passing");
        agent.failCheck("kiwi-extra", "nope");
        assertThat(agent.getChecks().get("kiwi-extra").getStatus()).isEqualTo("critical");
        agent.deregisterCheck("kiwi-extra");
        assertThat(agent.getChecks()).doesNotContainKey("kiwi-extra");

        agent.toggleMaintenanceMode("kiwi-web-1", true, "deploy");
        assertThat(agent.getChecks()).containsKey("_service_maintenance:kiwi-web-1");
        agent.toggleMaintenanceMode("kiwi-web-1", false);
        assertThat(agent.getChecks()).doesNotContainKey("_service_maintenance:kiwi-web-1");

        agent.deregister("kiwi-web-1");
        assertThat(agent.isRegistered("kiwi-web-1")).isFalse();
    }

    @Test
    void agentServiceHashBlockingWaitsForAChange() throws Exception {
        AgentClient agent = consul.agentClient();
        agent.register(ttlService("kiwi-hash-1", "kiwi-hash", 7001, "v1"));
        String hash = agent.getService("kiwi-hash-1", QueryOptions.BLANK).getResponse().getContentHash();
        long parked = ROSTER.blockingQueries();
        CompletableFuture<ConsulResponse<FullService>> watch = CompletableFuture.supplyAsync(() -> {
            try {
                return agent.getService("kiwi-hash-1", QueryOptions.blockSeconds(5, hash).build());
            } catch (NotRegisteredException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> ROSTER.blockingQueries() > parked);
        assertThat(watch).isNotDone();
        agent.register(ttlService("kiwi-hash-1", "kiwi-hash", 7001, "v2"));
        FullService changed = watch.get(10, TimeUnit.SECONDS).getResponse();
        assertThat(changed.getTags()).containsExactly("v2");
        assertThat(changed.getContentHash()).isNotEqualTo(hash);
        agent.deregister("kiwi-hash-1");
    }

    @Test
    void agentSelfStatusAndCatalog() throws Exception {
        Agent self = consul.agentClient().getAgent();
        assertThat(self.getConfig().getNodeName()).isEqualTo(NODE);
        assertThat(self.getConfig().getDatacenter()).isEqualTo("dc1");
        assertThat(self.getMember().getName()).isEqualTo(NODE);
        assertThat(consul.agentClient().getMembers()).hasSize(1);
        assertThat(consul.statusClient().getLeader()).isNotBlank();
        assertThat(consul.statusClient().getPeers()).hasSize(1);

        var catalog = consul.catalogClient();
        assertThat(catalog.getDatacenters()).containsExactly("dc1");
        assertThat(catalog.getNodes().getResponse()).extracting(n -> n.getNode()).contains(NODE);
        ConsulResponse<Map<String, List<String>>> services = catalog.getServices();
        assertThat(services.getResponse()).containsKey("consul");

        // A blocking catalog read waits in the agent until a service appears.
        long parked = ROSTER.blockingQueries();
        CompletableFuture<ConsulResponse<Map<String, List<String>>>> watch = CompletableFuture.supplyAsync(() ->
                catalog.getServices(QueryOptions.blockSeconds(10, services.getIndex()).build()));
        await().atMost(Duration.ofSeconds(10)).until(() -> ROSTER.blockingQueries() > parked);
        catalog.register(ImmutableCatalogRegistration.builder().node("kiwi-ext").address("192.0.2.20")
                .service(ImmutableService.builder().id("kiwi-db-1").service("kiwi-db").address("")
                        .port(5432).addTags("primary").build())
                .build());
        ConsulResponse<Map<String, List<String>>> changed = watch.get(10, TimeUnit.SECONDS);
        assertThat(changed.getIndex()).isGreaterThan(services.getIndex());
        assertThat(changed.getResponse()).containsEntry("kiwi-db", List.of("primary"));

        assertThat(catalog.getService("kiwi-db").getResponse()).singleElement().satisfies(cs -> {
            assertThat(cs.getNode()).isEqualTo("kiwi-ext");
            assertThat(cs.getAddress()).isEqualTo("192.0.2.20");
            assertThat(cs.getServiceId()).isEqualTo("kiwi-db-1");
            assertThat(cs.getServicePort()).isEqualTo(5432);
        });
        var node = catalog.getNode("kiwi-ext").getResponse();
        assertThat(node.getNode().getAddress()).isEqualTo("192.0.2.20");
        assertThat(node.getServices()).containsKey("kiwi-db-1");
        catalog.deregister(ImmutableCatalogDeregistration.builder().node("kiwi-ext").build());
        assertThat(catalog.getNodes().getResponse()).extracting(n -> n.getNode()).doesNotContain("kiwi-ext");
        // The "consul" service is the server's RPC port, the one /v1/status/leader names (8300 unless
        // that port was taken on this machine when the dev agent started).
        String leader = consul.statusClient().getLeader();
        int serverPort = Integer.parseInt(leader.substring(leader.lastIndexOf(':') + 1));
        List<CatalogService> consulService = catalog.getService("consul").getResponse();
        assertThat(consulService).singleElement().satisfies(cs -> assertThat(cs.getServicePort()).isEqualTo(serverPort));
    }

    @Test
    void kvCacheListenersSeeChanges() throws Exception {
        KeyValueClient kv = consul.keyValueClient();
        kv.putValue("kiwi/cache/a", "1");
        List<Map<String, Value>> seen = new CopyOnWriteArrayList<>();
        try (KVCache cache = KVCache.newCache(kv, "kiwi/cache/", WATCH_SECONDS)) {
            cache.addListener(seen::add);
            cache.start();
            assertThat(cache.awaitInitialized(10, TimeUnit.SECONDS)).isTrue();
            assertThat(cache.getMap()).containsOnlyKeys("a");

            // Idle, the cache waits in the agent (a blocking query with the index it was given)
            // instead of re-polling and re-publishing.
            await().atMost(Duration.ofSeconds(5)).until(() -> ROSTER.blockingQueries() >= 1);
            int before = seen.size();
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> seen.size() == before);

            kv.putValue("kiwi/cache/b/c", "2");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(last(seen)).containsOnlyKeys("a", "b/c"));
            kv.putValue("kiwi/cache/a", "changed");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(last(seen).get("a").getValueAsString()).contains("changed"));
            kv.deleteKey("kiwi/cache/a");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(last(seen)).containsOnlyKeys("b/c"));
            kv.deleteKeys("kiwi/cache");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(last(seen)).isEmpty());
        }
    }

    @Test
    void serviceHealthCacheListenersSeeInstancesComeAndGo() throws Exception {
        AgentClient agent = consul.agentClient();
        List<Map<ServiceHealthKey, ServiceHealth>> seen = new CopyOnWriteArrayList<>();
        try (ServiceHealthCache cache = ServiceHealthCache.newCache(consul.healthClient(), "kiwi-api", true,
                WATCH_SECONDS, QueryOptions.BLANK)) {
            cache.addListener(seen::add);
            cache.start();
            assertThat(cache.awaitInitialized(10, TimeUnit.SECONDS)).isTrue();
            assertThat(cache.getMap()).isEmpty();

            agent.register(ttlService("kiwi-api-1", "kiwi-api", 9001));
            agent.register(ttlService("kiwi-api-2", "kiwi-api", 9002));
            agent.pass("kiwi-api-1");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(last(seen).keySet())
                    .extracting(ServiceHealthKey::getServiceId).containsExactly("kiwi-api-1"));
            agent.pass("kiwi-api-2");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(last(seen).keySet())
                    .extracting(ServiceHealthKey::getServiceId).containsExactlyInAnyOrder("kiwi-api-1", "kiwi-api-2"));
            assertThat(last(seen).keySet()).extracting(ServiceHealthKey::getPort).containsExactlyInAnyOrder(9001, 9002);

            agent.fail("kiwi-api-1");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(last(seen).keySet())
                    .extracting(ServiceHealthKey::getServiceId).containsExactly("kiwi-api-2"));
            agent.deregister("kiwi-api-2");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(last(seen)).isEmpty());
            agent.deregister("kiwi-api-1");
        }
    }

    private static <K, V> Map<K, V> last(List<Map<K, V>> seen) {
        assertThat(seen).as("the cache published at least once").isNotEmpty();
        return seen.get(seen.size() - 1);
    }

    /** {@code QueryOptions.filter} is sent as {@code ?filter=}: catalog and health answers come back filtered; a bad one is a 400. */
    @Test
    void filterQueryOptionFiltersCatalogAndHealthReads() {
        var catalog = consul.catalogClient();
        for (int i = 1; i <= 3; i++) {
            catalog.register(ImmutableCatalogRegistration.builder().node("kiwi-f" + i).address("192.0.2.3" + i)
                    .putNodeMeta("rack", i == 3 ? "r2" : "r1")
                    .service(ImmutableService.builder().id("kiwi-f-" + i).service("kiwi-f").address("")
                            .port(7000 + i).addTags(i == 1 ? "canary" : "stable").build())
                    .build());
        }
        QueryOptions byTag = org.kiwiproject.consul.option.ImmutableQueryOptions.builder()
                .filter("\"canary\" in ServiceTags").build();
        assertThat(catalog.getService("kiwi-f", byTag).getResponse()).extracting(CatalogService::getServiceId)
                .containsExactly("kiwi-f-1");
        QueryOptions byMeta = org.kiwiproject.consul.option.ImmutableQueryOptions.builder()
                .filter("Node.Meta.rack == r1 and Service.Port > 7001").build();
        assertThat(consul.healthClient().getAllServiceInstances("kiwi-f", byMeta).getResponse())
                .extracting(sh -> sh.getService().getId()).containsExactly("kiwi-f-2");
        QueryOptions byName = org.kiwiproject.consul.option.ImmutableQueryOptions.builder()
                .filter("ServiceName == \"kiwi-f\"").build();
        assertThat(catalog.getServices(byName).getResponse()).containsOnlyKeys("kiwi-f");
        QueryOptions bad = org.kiwiproject.consul.option.ImmutableQueryOptions.builder().filter("Nope == 1").build();
        assertThatThrownBy(() -> catalog.getService("kiwi-f", bad)).isInstanceOf(ConsulException.class)
                .satisfies(e -> assertThat(((ConsulException) e).getCode()).isEqualTo(400));
        for (int i = 1; i <= 3; i++) {
            catalog.deregister(ImmutableCatalogDeregistration.builder().node("kiwi-f" + i).build());
        }
    }
}
