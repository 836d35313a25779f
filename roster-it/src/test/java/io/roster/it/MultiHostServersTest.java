package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.it.hosts.Agents;
import io.roster.it.hosts.Host;
import io.roster.it.hosts.NetHosts;
import io.roster.it.hosts.NetHostsExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three server agents, each on its own network-namespace host (10.10.10.10-12, default ports, HTTP
 * and DNS on each host's own 127.0.0.1), started with flags: {@code -server -bind=<ip>
 * -bootstrap-expect=3} and one {@code -retry-join=<ip>} per server, without a port. That spelling
 * means the servers' Raft addresses (port 8300, gossip at 8301) today and their gossip addresses
 * (port 8301) once servers discover each other through gossip (issue 14), so this case holds on
 * both sides of that change. The cluster forms on the hosts' addresses, replicates, and survives
 * kill -9 of the leader's host (the time to the first write acknowledged afterwards is printed);
 * the killed server, restarted on its data, catches up.
 */
class MultiHostServersTest {
    @RegisterExtension
    static final NetHostsExtension HOSTS = NetHostsExtension.perTest();
    private static final List<String> IPS = List.of("10.10.10.10", "10.10.10.11", "10.10.10.12");

    private static List<String> args(NetHosts hosts, int i) {
        List<String> a = new ArrayList<>(List.of("-server", "-node=meta-" + (i + 1), "-bind=" + IPS.get(i),
                "-data-dir=" + hosts.logDir().resolve("meta-" + (i + 1) + "-data"), "-bootstrap-expect=3", "-log-level=info"));
        for (String ip : IPS) {
            a.add("-retry-join=" + ip);
        }
        return a;
    }

    @Test
    void threeServerHostsFormAClusterAndSurviveKillOfTheLeadersHost(NetHosts hosts) {
        List<Host> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            servers.add(hosts.addHost("meta-" + (i + 1), IPS.get(i)));
        }
        long t0 = System.nanoTime();
        List<Host.Proc> procs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            procs.add(servers.get(i).startAgent("agent", args(hosts, i)));
        }
        Set<String> raftAddrs = new TreeSet<>();
        IPS.forEach(ip -> raftAddrs.add(ip + ":8300"));
        for (int i = 0; i < 3; i++) {
            Host h = servers.get(i);
            Host.Proc p = procs.get(i);
            Agents.await(Duration.ofSeconds(120)).failFast(() -> !p.isAlive())
                    .until(() -> raftAddrs.contains(Agents.leader(h)));
        }
        System.out.printf("MultiHostServersTest: 3 server hosts up with a leader in %d ms (JVM starts included)%n",
                (System.nanoTime() - t0) / 1_000_000);

        // One Raft configuration of 3 voters on the hosts' addresses, seen alike by every server.
        String leader = Agents.leader(servers.get(0));
        for (Host h : servers) {
            assertThat(Agents.peers(h)).as("peers on %s", h).isEqualTo(raftAddrs);
            assertThat(Agents.leader(h)).as("leader on %s", h).isEqualTo(leader);
            JsonNode conf = h.get("/v1/operator/raft/configuration").json();
            Set<String> voters = new TreeSet<>();
            int leaders = 0;
            for (JsonNode s : conf.path("Servers")) {
                if (s.path("Voter").asBoolean()) {
                    voters.add(s.path("Address").asText());
                }
                leaders += s.path("Leader").asBoolean() ? 1 : 0;
            }
            assertThat(voters).as("voters on %s: %s", h, conf).isEqualTo(raftAddrs);
            assertThat(leaders).isEqualTo(1);
        }
        // Gossip members and the servers' DNS show the hosts' addresses.
        for (Host h : servers) {
            Agents.await(Duration.ofSeconds(30)).until(() -> Agents.memberAddresses(h).equals(Set.copyOf(IPS)));
            Agents.await(Duration.ofSeconds(30)).until(() -> Agents.dig(h, "consul.service.consul").equals(Set.copyOf(IPS)));
        }

        Host.Result members = servers.get(0).roster("members");
        System.out.println("MultiHostServersTest: roster members on meta-1:\n" + members.out().stripTrailing());
        assertThat(members.exit()).as(members.describe()).isZero();
        assertThat(members.out()).contains("10.10.10.10:8301", "10.10.10.11:8301", "10.10.10.12:8301");

        // A write on a follower is read from every server's own state.
        Host follower = servers.stream().filter(h -> !leader.startsWith(h.ip() + ":")).findFirst().orElseThrow();
        assertThat(Agents.kvPut(follower, "multihost/before", "1").toString()).isEqualTo("200 true");
        for (Host h : servers) {
            Agents.await(Duration.ofSeconds(30)).until(() -> "1".equals(Agents.kvStale(h, "multihost/before")));
        }

        // kill -9 of the leader's host: a new leader among the others, and writes resume.
        Host old = Agents.hostOf(hosts, leader);
        List<Host> survivors = servers.stream().filter(h -> h != old).toList();
        long killed = System.nanoTime();
        old.kill9();
        assertThat(procs.get(servers.indexOf(old)).isAlive()).isFalse();
        int[] attempt = {0};
        Agents.await(Duration.ofSeconds(60)).until(() -> Agents.kvPutOk(survivors.get(attempt[0]++ % 2), "multihost/after", "2"));
        long failoverMs = (System.nanoTime() - killed) / 1_000_000;
        String newLeader = Agents.leader(survivors.get(0));
        System.out.printf("MultiHostServersTest: kill -9 of the leader's host %s -> new leader %s, first write acknowledged %d ms after the kill%n",
                old, newLeader, failoverMs);
        assertThat(newLeader).isNotEqualTo(leader).isIn(raftAddrs);
        for (Host h : survivors) {
            Agents.await(Duration.ofSeconds(30)).until(() -> Agents.leader(h).equals(newLeader));
            Agents.await(Duration.ofSeconds(30)).until(() -> "2".equals(Agents.kvStale(h, "multihost/after")));
        }

        // The killed server, restarted on its data directory, catches up with what it missed.
        long restarted = System.nanoTime();
        Host.Proc again = old.startAgent("agent", args(hosts, servers.indexOf(old)));
        Agents.await(Duration.ofSeconds(120)).failFast(() -> !again.isAlive())
                .until(() -> "2".equals(Agents.kvStale(old, "multihost/after")) && Agents.leader(old).equals(newLeader));
        System.out.printf("MultiHostServersTest: the restarted server caught up in %d ms (JVM start included)%n",
                (System.nanoTime() - restarted) / 1_000_000);
        assertThat(Agents.kvIndexStale(old, "multihost/")).isEqualTo(Agents.kvIndexStale(survivors.get(0), "multihost/"));
    }
}
