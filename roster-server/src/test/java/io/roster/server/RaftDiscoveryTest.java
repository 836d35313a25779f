package io.roster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.KvPair;
import io.roster.api.testing.TestPorts;
import io.roster.state.Command;
import io.roster.state.KvVerb;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Servers whose group is found, not configured: they listen with no group, one bootstraps the
 * group on the others, a leader adds a late server as a voter, and a restart recovers the group.
 */
class RaftDiscoveryTest {
    private final List<RaftReplicator> servers = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> {
            if (s != null) {
                s.close();
            }
        });
    }

    private RaftReplicator add(int i) throws IOException {
        if (i == ids.size()) {
            ids.add(java.util.UUID.randomUUID().toString());
            addresses.add("127.0.0.1:" + TestPorts.free());
            dirs.add(Files.createTempDirectory("roster-raft-disc-" + i));
        }
        RaftReplicator r = RaftReplicator.discovering(new Store(), ids.get(i), addresses.get(i), i == 0 ? "0.0.0.0" : null, dirs.get(i), 10_000, "dc1", List.of()).start();
        if (i == servers.size()) {
            servers.add(r);
        } else {
            servers.set(i, r);
        }
        return r;
    }

    private Map<String, String> first(int n) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(ids.get(i), addresses.get(i));
        }
        return m;
    }

    private static Command.Kv set(String key, String value) {
        return new Command.Kv(KvVerb.SET, key, value.getBytes(StandardCharsets.UTF_8), 0, 0, null);
    }

    private static String value(RaftReplicator r, String key) {
        KvPair e = r.store().kvGet(WatchSet.NONE, key).value();
        return e == null ? null : e.valueAsString();
    }

    private RaftReplicator leader() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> servers.stream().anyMatch(s -> s != null && s.isLeader()));
        return servers.stream().filter(s -> s != null && s.isLeader()).findFirst().orElseThrow();
    }

    @Test
    void oneBootstrapFormsTheGroupAndASecondIsRefusedAndALateServerBecomesAVoter() throws Exception {
        for (int i = 0; i < 3; i++) {
            add(i);
        }
        assertThat(servers).noneMatch(RaftReplicator::hasGroup);
        assertThat(servers.get(1).holdsGroup(ids.get(0), addresses.get(0))).isFalse();

        servers.get(0).bootstrap(first(3));
        assertThat(servers).allMatch(RaftReplicator::hasGroup);
        assertThat(servers.get(2).holdsGroup(ids.get(0), addresses.get(0))).isTrue();
        // Another initial configuration is refused by the servers that hold one, and leaves nothing behind.
        RaftReplicator fourth = add(3);
        Map<String, String> other = new LinkedHashMap<>();
        other.put(ids.get(3), addresses.get(3));
        other.put(ids.get(1), addresses.get(1));
        assertThatThrownBy(() -> fourth.bootstrap(other)).isInstanceOf(IOException.class);
        assertThat(fourth.hasGroup()).isFalse();

        RaftReplicator l = leader();
        assertThat(l.submit(set("a", "1")).get(20, TimeUnit.SECONDS)).isEqualTo(io.roster.state.ApplyResult.Bool.TRUE);
        assertThat(l.peerIds()).containsOnlyKeys(ids.subList(0, 3));

        l.addVoter(ids.get(3), addresses.get(3));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "1".equals(value(fourth, "a")));
        assertThat(fourth.peerIds()).containsOnlyKeys(ids);
        assertThat(l.leaderAddress()).isIn(addresses);
        assertThat(fourth.submit(set("b", "2")).get(20, TimeUnit.SECONDS)).isEqualTo(io.roster.state.ApplyResult.Bool.TRUE);
    }

    @Test
    void aRestartedServerRecoversItsGroupFromItsDataDirectory() throws Exception {
        for (int i = 0; i < 3; i++) {
            add(i);
        }
        servers.get(1).bootstrap(first(3));
        RaftReplicator l = leader();
        assertThat(l.submit(set("k", "v")).get(20, TimeUnit.SECONDS)).isEqualTo(io.roster.state.ApplyResult.Bool.TRUE);
        int victim = servers.indexOf(l) == 0 ? 1 : 0;
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "v".equals(value(servers.get(victim), "k")));
        servers.get(victim).close();
        RaftReplicator again = add(victim);
        assertThat(again.hasGroup()).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "v".equals(value(again, "k")));
        assertThat(again.peerIds()).containsOnlyKeys(ids);
    }
}
