package io.roster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import io.roster.api.RosterClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A real three-server Raft cluster in this JVM, started and stopped by the extension outside JUnit's callbacks too. */
class ClusterExtensionTest {
    @Test
    void threeServersElectALeaderReplicateWritesAndLeaveNoDataBehind() throws Exception {
        List<Path> dirs;
        try (RosterExtension roster = RosterExtension.cluster(3).nodeName("tk-server").withoutDns().start()) {
            System.out.printf("roster-testkit: 3-server cluster started in %d ms%n", roster.startTime().toMillis());
            assertThat(roster.agents()).hasSize(3).allMatch(Agent::registered);
            Agent leader = roster.leader();
            Agent follower = roster.agents().stream().filter(a -> a != leader).findFirst().orElseThrow();
            assertThat(roster.client(follower).kv().put("tk/replicated", "yes".getBytes())).isTrue();
            for (Agent a : roster.agents()) {
                RosterClient c = roster.client(a);
                assertThat(c.kv().get("tk/replicated", QueryOptions.DEFAULT.withConsistent()).value())
                        .get().extracting(KvPair::valueAsString).isEqualTo("yes");
                assertThat(c.status().peers()).hasSize(3);
                assertThat(a.httpPort()).isBetween(Ports.LOW, Ports.HIGH);
            }
            assertThat(roster.client().catalog().nodes(Map.of(), QueryOptions.DEFAULT).value())
                    .extracting(n -> n.node()).containsExactlyInAnyOrder("tk-server-0", "tk-server-1", "tk-server-2");
            dirs = roster.agents().stream().map(a -> a.config().dataDir()).toList();
            assertThat(dirs).allMatch(Files::isDirectory);

            roster.client(follower).kv().put("tk/other", "x".getBytes());
            roster.reset();
            assertThat(roster.client(leader).kv().keys("", null, QueryOptions.DEFAULT.withConsistent()).value()).isEmpty();

            // A crashed leader: the other two elect a new one and take writes; the old one comes back and catches up.
            int down = roster.agents().indexOf(leader);
            roster.stop(down);
            Agent survivor = roster.agents().get((down + 1) % 3);
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> roster.client(survivor).kv().put("tk/after-failover", "1".getBytes()));
            assertThat(roster.leader()).isNotSameAs(leader);
            Agent back = roster.restart(down);
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                    assertThat(roster.client(back).kv().get("tk/after-failover", QueryOptions.DEFAULT.withStale()).value()).isPresent());
        }
        assertThat(dirs).noneMatch(Files::exists);
    }

    @Test
    void aLoneServerBootstrapsItself() throws Exception {
        try (RosterExtension roster = RosterExtension.cluster(1).withoutDns().start()) {
            assertThat(roster.leader()).isSameAs(roster.agent());
            assertThat(roster.client().kv().put("tk/lone", "1".getBytes())).isTrue();
            assertThat(roster.client().kv().get("tk/lone", QueryOptions.DEFAULT.withConsistent()).value()).isPresent();
            assertThat(roster.client().status().peers()).hasSize(1);
        }
    }
}
