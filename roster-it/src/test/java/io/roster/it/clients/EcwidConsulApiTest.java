package io.roster.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.ecwid.consul.v1.ConsistencyMode;
import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.agent.model.NewCheck;
import com.ecwid.consul.v1.agent.model.NewService;
import com.ecwid.consul.v1.agent.model.Self;
import com.ecwid.consul.v1.catalog.model.CatalogDeregistration;
import com.ecwid.consul.v1.catalog.model.CatalogNode;
import com.ecwid.consul.v1.catalog.model.CatalogRegistration;
import com.ecwid.consul.v1.catalog.model.CatalogService;
import com.ecwid.consul.v1.health.model.Check;
import com.ecwid.consul.v1.health.model.HealthService;
import com.ecwid.consul.v1.kv.model.GetValue;
import com.ecwid.consul.v1.kv.model.PutParams;
import com.ecwid.consul.v1.session.model.NewSession;
import com.ecwid.consul.v1.session.model.Session;
import io.roster.testkit.RosterExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ecwid's {@code com.ecwid.consul:consul-api} 1.4.5 (the client of Spring Cloud Consul up to 4.x
 * and of many Java services) used unchanged against Roster: KV with recurse, keys, CAS and
 * session locks; sessions; agent services and TTL checks; catalog and health reads, including
 * blocking queries ({@code QueryParams(waitTime, index)}, sent as {@code wait=Ns&index=N}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@SuppressWarnings("deprecation") // the deprecated health/catalog overloads are the ones applications call most
class EcwidConsulApiTest {
    /** The agent's node name, as the client sees it in the catalog. */
    static final String NODE = "it-node";

    @RegisterExtension
    static final RosterExtension ROSTER = RosterExtension.dev().nodeName(NODE).withoutDns();

    private static ConsulClient client() {
        return new ConsulClient("127.0.0.1", ROSTER.httpPort());
    }

    /** Waits until more blocking queries than {@code before} are parked in the agent. */
    private static void awaitParked(long before) {
        await().atMost(Duration.ofSeconds(10)).until(() -> ROSTER.blockingQueries() > before);
    }

    @Test
    void kvPutGetRecurseKeysAndDelete() {
        ConsulClient c = client();
        assertThat(c.setKVValue("ecwid/kv/a", "one").getValue()).isTrue();
        assertThat(c.setKVValue("ecwid/kv/b/c", "two").getValue()).isTrue();
        PutParams flags = new PutParams();
        flags.setFlags(42);
        assertThat(c.setKVValue("ecwid/kv/b/d", "three", flags).getValue()).isTrue();

        Response<GetValue> one = c.getKVValue("ecwid/kv/a");
        assertThat(one.getValue().getDecodedValue()).isEqualTo("one");
        assertThat(one.getValue().getKey()).isEqualTo("ecwid/kv/a");
        assertThat(one.getConsulIndex()).isEqualTo(one.getValue().getModifyIndex());
        assertThat(one.isConsulKnownLeader()).isTrue();
        assertThat(one.getConsulLastContact()).isZero();
        assertThat(c.getKVValue("ecwid/kv/b/d").getValue().getFlags()).isEqualTo(42);
        // Consistency modes travel as valueless flags (?consistent, ?stale).
        assertThat(c.getKVValue("ecwid/kv/a", new QueryParams(ConsistencyMode.CONSISTENT)).getValue().getDecodedValue())
                .isEqualTo("one");
        assertThat(c.getKVValue("ecwid/kv/a", new QueryParams(ConsistencyMode.STALE)).getValue().getDecodedValue())
                .isEqualTo("one");

        Response<List<GetValue>> all = c.getKVValues("ecwid/kv/");
        assertThat(all.getValue()).extracting(GetValue::getKey)
                .containsExactly("ecwid/kv/a", "ecwid/kv/b/c", "ecwid/kv/b/d");
        assertThat(all.getValue()).extracting(GetValue::getDecodedValue).containsExactly("one", "two", "three");
        assertThat(c.getKVKeysOnly("ecwid/kv/").getValue())
                .containsExactly("ecwid/kv/a", "ecwid/kv/b/c", "ecwid/kv/b/d");
        assertThat(c.getKVKeysOnly("ecwid/kv/", "/", null).getValue()).containsExactly("ecwid/kv/a", "ecwid/kv/b/");

        // A missing key is a null value, not an exception, and still carries an index.
        Response<GetValue> missing = c.getKVValue("ecwid/kv/none");
        assertThat(missing.getValue()).isNull();
        assertThat(missing.getConsulIndex()).isPositive();
        assertThat(c.getKVValues("ecwid/nothing-here/").getValue()).isNull();

        c.deleteKVValue("ecwid/kv/a");
        assertThat(c.getKVValue("ecwid/kv/a").getValue()).isNull();
        c.deleteKVValues("ecwid/kv/b");
        assertThat(c.getKVValues("ecwid/kv/").getValue()).isNull();
    }

    @Test
    void kvBinaryValuesAndKeysNeedingEncoding() {
        ConsulClient c = client();
        byte[] bytes = {0, 1, 2, (byte) 0xff, 10};
        assertThat(c.setKVBinaryValue("ecwid/bin/raw", bytes).getValue()).isTrue();
        assertThat(c.getKVBinaryValue("ecwid/bin/raw").getValue().getValue()).containsExactly(bytes);
        // Ecwid sends the key as given in the path; spaces become %20.
        assertThat(c.setKVValue("ecwid/bin/with space", "v").getValue()).isTrue();
        assertThat(c.getKVValue("ecwid/bin/with space").getValue().getKey()).isEqualTo("ecwid/bin/with space");
        c.deleteKVValues("ecwid/bin/");
    }

    @Test
    void kvCheckAndSet() {
        ConsulClient c = client();
        PutParams createOnly = new PutParams();
        createOnly.setCas(0L);
        assertThat(c.setKVValue("ecwid/cas/k", "v1", createOnly).getValue()).isTrue();
        assertThat(c.setKVValue("ecwid/cas/k", "again", createOnly).getValue()).as("cas=0 on an existing key").isFalse();

        long index = c.getKVValue("ecwid/cas/k").getValue().getModifyIndex();
        PutParams stale = new PutParams();
        stale.setCas(index - 1);
        assertThat(c.setKVValue("ecwid/cas/k", "lost", stale).getValue()).isFalse();
        PutParams current = new PutParams();
        current.setCas(index);
        assertThat(c.setKVValue("ecwid/cas/k", "v2", current).getValue()).isTrue();
        assertThat(c.getKVValue("ecwid/cas/k").getValue().getDecodedValue()).isEqualTo("v2");
        c.deleteKVValue("ecwid/cas/k");
    }

    @Test
    void sessionsLockAndReleaseKeys() {
        ConsulClient c = client();
        NewSession ns = new NewSession();
        ns.setName("ecwid-lock");
        ns.setTtl("10s");
        ns.setLockDelay(0);
        ns.setBehavior(Session.Behavior.RELEASE);
        String s1 = c.sessionCreate(ns, QueryParams.DEFAULT).getValue();
        String s2 = c.sessionCreate(new NewSession(), QueryParams.DEFAULT).getValue();
        assertThat(s1).isNotBlank().isNotEqualTo(s2);

        Session info = c.getSessionInfo(s1, QueryParams.DEFAULT).getValue();
        assertThat(info.getId()).isEqualTo(s1);
        assertThat(info.getName()).isEqualTo("ecwid-lock");
        assertThat(info.getNode()).isEqualTo(NODE);
        assertThat(info.getTtl()).isEqualTo("10s");
        assertThat(info.getBehavior()).isEqualTo(Session.Behavior.RELEASE);
        assertThat(c.getSessionList(QueryParams.DEFAULT).getValue()).extracting(Session::getId).contains(s1, s2);
        assertThat(c.getSessionNode(NODE, QueryParams.DEFAULT).getValue())
                .extracting(Session::getId).contains(s1, s2);
        assertThat(c.renewSession(s1, QueryParams.DEFAULT).getValue().getId()).isEqualTo(s1);

        PutParams acquire1 = new PutParams();
        acquire1.setAcquireSession(s1);
        PutParams acquire2 = new PutParams();
        acquire2.setAcquireSession(s2);
        assertThat(c.setKVValue("ecwid/lock/leader", "node-1", acquire1).getValue()).isTrue();
        assertThat(c.setKVValue("ecwid/lock/leader", "node-2", acquire2).getValue()).as("held by s1").isFalse();
        GetValue held = c.getKVValue("ecwid/lock/leader").getValue();
        assertThat(held.getSession()).isEqualTo(s1);
        assertThat(held.getLockIndex()).isEqualTo(1L);
        assertThat(held.getDecodedValue()).isEqualTo("node-1");

        PutParams release = new PutParams();
        release.setReleaseSession(s1);
        assertThat(c.setKVValue("ecwid/lock/leader", "node-1", release).getValue()).isTrue();
        assertThat(c.getKVValue("ecwid/lock/leader").getValue().getSession()).isNull();

        // Destroying a "delete" session deletes the keys it holds.
        NewSession del = new NewSession();
        del.setBehavior(Session.Behavior.DELETE);
        String s3 = c.sessionCreate(del, QueryParams.DEFAULT).getValue();
        PutParams acquire3 = new PutParams();
        acquire3.setAcquireSession(s3);
        assertThat(c.setKVValue("ecwid/lock/ephemeral", "x", acquire3).getValue()).isTrue();
        c.sessionDestroy(s3, QueryParams.DEFAULT);
        assertThat(c.getKVValue("ecwid/lock/ephemeral").getValue()).isNull();

        c.sessionDestroy(s1, QueryParams.DEFAULT);
        c.sessionDestroy(s2, QueryParams.DEFAULT);
        assertThat(c.getSessionInfo(s1, QueryParams.DEFAULT).getValue()).isNull();
        assertThatThrownBy(() -> c.renewSession(s1, QueryParams.DEFAULT))
                .isInstanceOf(OperationException.class)
                .satisfies(e -> assertThat(((OperationException) e).getStatusCode()).isEqualTo(404));
        c.deleteKVValues("ecwid/lock/");
    }

    @Test
    void blockingKvGetReturnsWhenTheKeyChanges() throws Exception {
        ConsulClient c = client();
        c.setKVValue("ecwid/watch/k", "before");
        long index = c.getKVValue("ecwid/watch/k").getConsulIndex();
        long parked = ROSTER.blockingQueries();
        CompletableFuture<Response<GetValue>> watch = CompletableFuture.supplyAsync(
                () -> c.getKVValue("ecwid/watch/k", new QueryParams(30, index)));
        awaitParked(parked);
        assertThat(watch).isNotDone();
        c.setKVValue("ecwid/watch/k", "after");
        Response<GetValue> changed = watch.get(10, TimeUnit.SECONDS);
        assertThat(changed.getValue().getDecodedValue()).isEqualTo("after");
        assertThat(changed.getConsulIndex()).isGreaterThan(index);

        // With nothing changing, the query answers after its wait (1s, plus at most wait/16) with the same index.
        long t0 = System.nanoTime();
        Response<GetValue> same = c.getKVValue("ecwid/watch/k", new QueryParams(1, changed.getConsulIndex()));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        assertThat(same.getConsulIndex()).isEqualTo(changed.getConsulIndex());
        c.deleteKVValues("ecwid/watch/");
    }

    @Test
    void agentServiceWithTtlCheckDrivesHealth() {
        ConsulClient c = client();
        NewService svc = new NewService();
        svc.setId("ecwid-web-1");
        svc.setName("ecwid-web");
        svc.setTags(List.of("primary", "v1"));
        svc.setAddress("10.0.0.7");
        svc.setPort(8080);
        svc.setMeta(Map.of("version", "1.2"));
        NewService.Check ttl = new NewService.Check();
        ttl.setTtl("30s");
        svc.setCheck(ttl);
        c.agentServiceRegister(svc);

        assertThat(c.getAgentServices().getValue()).containsKey("ecwid-web-1");
        assertThat(c.getAgentServices().getValue().get("ecwid-web-1").getPort()).isEqualTo(8080);
        // A TTL check starts critical; the single inline check is "service:<id>".
        assertThat(c.getAgentChecks().getValue()).containsKey("service:ecwid-web-1");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(c.getHealthServices("ecwid-web", false, QueryParams.DEFAULT).getValue()).hasSize(1));
        assertThat(c.getHealthServices("ecwid-web", true, QueryParams.DEFAULT).getValue()).isEmpty();

        c.agentCheckPass("service:ecwid-web-1", "all good");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(c.getHealthServices("ecwid-web", true, QueryParams.DEFAULT).getValue()).hasSize(1));
        HealthService hs = c.getHealthServices("ecwid-web", "primary", true, QueryParams.DEFAULT).getValue().get(0);
        assertThat(hs.getService().getId()).isEqualTo("ecwid-web-1");
        assertThat(hs.getService().getAddress()).isEqualTo("10.0.0.7");
        assertThat(hs.getService().getPort()).isEqualTo(8080);
        assertThat(hs.getService().getTags()).containsExactly("primary", "v1");
        assertThat(hs.getService().getMeta()).containsEntry("version", "1.2");
        assertThat(hs.getNode().getNode()).isEqualTo(NODE);
        assertThat(hs.getChecks()).extracting(Check::getCheckId).contains("serfHealth", "service:ecwid-web-1");
        assertThat(hs.getChecks()).filteredOn(ch -> ch.getCheckId().equals("service:ecwid-web-1"))
                .singleElement().satisfies(ch -> {
                    assertThat(ch.getStatus()).isEqualTo(Check.CheckStatus.PASSING);
                    assertThat(ch.getOutput()).isEqualTo("all good");
                });
        assertThat(c.getHealthServices("ecwid-web", "other-tag", false, QueryParams.DEFAULT).getValue()).isEmpty();

        // A second, separately registered TTL check on the service.
        NewCheck extra = new NewCheck();
        extra.setId("ecwid-web-1-disk");
        extra.setName("disk");
        extra.setServiceId("ecwid-web-1");
        extra.setTtl("30s");
        c.agentCheckRegister(extra);
        c.agentCheckPass("ecwid-web-1-disk");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(c.getHealthChecksForService("ecwid-web", QueryParams.DEFAULT).getValue())
                        .extracting(Check::getCheckId).containsExactlyInAnyOrder("service:ecwid-web-1", "ecwid-web-1-disk"));

        c.agentCheckFail("ecwid-web-1-disk", "disk full");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(c.getHealthServices("ecwid-web", true, QueryParams.DEFAULT).getValue()).isEmpty());
        assertThat(c.getHealthChecksState(Check.CheckStatus.CRITICAL, QueryParams.DEFAULT).getValue())
                .extracting(Check::getCheckId).contains("ecwid-web-1-disk");
        c.agentCheckWarn("ecwid-web-1-disk");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(c.getHealthChecksState(Check.CheckStatus.WARNING, QueryParams.DEFAULT).getValue())
                        .extracting(Check::getCheckId).contains("ecwid-web-1-disk"));

        c.agentServiceSetMaintenance("ecwid-web-1", true, "upgrading");
        assertThat(c.getAgentChecks().getValue()).containsKey("_service_maintenance:ecwid-web-1");
        c.agentServiceSetMaintenance("ecwid-web-1", false);
        assertThat(c.getAgentChecks().getValue()).doesNotContainKey("_service_maintenance:ecwid-web-1");

        c.agentCheckDeregister("ecwid-web-1-disk");
        c.agentServiceDeregister("ecwid-web-1");
        assertThat(c.getAgentServices().getValue()).doesNotContainKey("ecwid-web-1");
        assertThat(c.getAgentChecks().getValue()).doesNotContainKey("service:ecwid-web-1");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(c.getHealthServices("ecwid-web", false, QueryParams.DEFAULT).getValue()).isEmpty());
    }

    @Test
    void blockingHealthQueryReturnsAfterACheckChanges() throws Exception {
        ConsulClient c = client();
        NewService svc = new NewService();
        svc.setId("ecwid-api-1");
        svc.setName("ecwid-api");
        svc.setPort(9000);
        NewService.Check ttl = new NewService.Check();
        ttl.setTtl("30s");
        svc.setCheck(ttl);
        c.agentServiceRegister(svc);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(c.getHealthServices("ecwid-api", false, QueryParams.DEFAULT).getValue()).hasSize(1));

        Response<List<HealthService>> first = c.getHealthServices("ecwid-api", true, QueryParams.DEFAULT);
        assertThat(first.getValue()).isEmpty();
        long parked = ROSTER.blockingQueries();
        CompletableFuture<Response<List<HealthService>>> watch = CompletableFuture.supplyAsync(
                () -> c.getHealthServices("ecwid-api", true, new QueryParams(30, first.getConsulIndex())));
        awaitParked(parked);
        assertThat(watch).as("blocking query waits for a change").isNotDone();

        c.agentCheckPass("service:ecwid-api-1");
        Response<List<HealthService>> changed = watch.get(10, TimeUnit.SECONDS);
        assertThat(changed.getConsulIndex()).isGreaterThan(first.getConsulIndex());
        assertThat(changed.getValue()).extracting(h -> h.getService().getId()).containsExactly("ecwid-api-1");

        c.agentServiceDeregister("ecwid-api-1");
    }

    @Test
    void catalogReadsAndBlockingServicesQuery() throws Exception {
        ConsulClient c = client();
        assertThat(c.getCatalogDatacenters().getValue()).containsExactly("dc1");
        Response<Map<String, List<String>>> services = c.getCatalogServices(QueryParams.DEFAULT);
        assertThat(services.getValue()).containsKey("consul");
        assertThat(c.getCatalogNodes(QueryParams.DEFAULT).getValue())
                .extracting(com.ecwid.consul.v1.catalog.model.Node::getNode).contains(NODE);

        long parked = ROSTER.blockingQueries();
        CompletableFuture<Response<Map<String, List<String>>>> watch = CompletableFuture.supplyAsync(
                () -> c.getCatalogServices(new QueryParams(30, services.getConsulIndex())));
        awaitParked(parked);
        assertThat(watch).isNotDone();

        // An external node and service, registered in the catalog directly.
        CatalogRegistration reg = new CatalogRegistration();
        reg.setNode("ecwid-ext");
        reg.setAddress("192.0.2.10");
        CatalogRegistration.Service s = new CatalogRegistration.Service();
        s.setId("ecwid-db-1");
        s.setService("ecwid-db");
        s.setTags(List.of("primary"));
        s.setPort(5432);
        reg.setService(s);
        c.catalogRegister(reg);

        Response<Map<String, List<String>>> changed = watch.get(10, TimeUnit.SECONDS);
        assertThat(changed.getValue()).containsEntry("ecwid-db", List.of("primary"));
        assertThat(changed.getConsulIndex()).isGreaterThan(services.getConsulIndex());

        List<CatalogService> db = c.getCatalogService("ecwid-db", QueryParams.DEFAULT).getValue();
        assertThat(db).singleElement().satisfies(cs -> {
            assertThat(cs.getNode()).isEqualTo("ecwid-ext");
            assertThat(cs.getAddress()).isEqualTo("192.0.2.10");
            assertThat(cs.getServiceId()).isEqualTo("ecwid-db-1");
            assertThat(cs.getServicePort()).isEqualTo(5432);
            assertThat(cs.getServiceTags()).containsExactly("primary");
        });
        assertThat(c.getCatalogService("ecwid-db", "primary", QueryParams.DEFAULT).getValue()).hasSize(1);
        assertThat(c.getCatalogService("ecwid-db", "replica", QueryParams.DEFAULT).getValue()).isEmpty();
        CatalogNode node = c.getCatalogNode("ecwid-ext", QueryParams.DEFAULT).getValue();
        assertThat(node.getNode().getAddress()).isEqualTo("192.0.2.10");
        assertThat(node.getServices()).containsKey("ecwid-db-1");

        CatalogDeregistration dereg = new CatalogDeregistration();
        dereg.setNode("ecwid-ext");
        c.catalogDeregister(dereg);
        assertThat(c.getCatalogService("ecwid-db", QueryParams.DEFAULT).getValue()).isEmpty();
    }

    @Test
    void agentSelfAndStatus() {
        ConsulClient c = client();
        Self self = c.getAgentSelf().getValue();
        assertThat(self.getConfig().getDatacenter()).isEqualTo("dc1");
        assertThat(self.getConfig().getNodeName()).isEqualTo(NODE);
        assertThat(self.getConfig().isServer()).isTrue();
        assertThat(self.getMember().getName()).isEqualTo(NODE);
        assertThat(c.getAgentMembers().getValue()).extracting(m -> m.getName()).containsExactly(NODE);
        assertThat(c.getStatusLeader().getValue()).isNotBlank();
        assertThat(c.getStatusPeers().getValue()).containsExactly(c.getStatusLeader().getValue());
    }
}
