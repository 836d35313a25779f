package io.roster.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.roster.gossip.transport.UdpTcpTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Members on real UDP/TCP sockets on 127.0.0.1 ephemeral ports, in one JVM. */
class RealUdpTest {
    static final String KEY_A = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    static final String KEY_B = Base64.getEncoder().encodeToString("fedcba9876543210".getBytes(StandardCharsets.US_ASCII));

    private final List<Gossip> started = new ArrayList<>();
    final Map<String, List<UserEvent>> events = new ConcurrentHashMap<>();

    /** Fast timings so failure detection takes a second or two of real time. */
    static GossipConfig.Builder fast(String name) {
        return GossipConfig.local(name).toBuilder()
                .probeInterval(Duration.ofMillis(200)).probeTimeout(Duration.ofMillis(100))
                .gossipInterval(Duration.ofMillis(50)).pushPullInterval(Duration.ofSeconds(2));
    }

    Gossip start(GossipConfig cfg) throws Exception {
        List<UserEvent> mine = new CopyOnWriteArrayList<>();
        events.put(cfg.name(), mine);
        Gossip g = Gossip.create(cfg, UdpTcpTransport.bind("127.0.0.1", 0), new Listener() {
            @Override
            public void onUserEvent(UserEvent e) {
                mine.add(e);
            }
        });
        g.start();
        started.add(g);
        return g;
    }

    @AfterEach
    void stop() {
        started.forEach(Gossip::shutdown);
    }

    private static MemberState stateOf(Gossip viewer, String name) {
        return viewer.member(name).map(Member::state).orElse(null);
    }

    @Test
    void fourMembersJoinGossipEventsLeaveAndDetectACrash() throws Exception {
        List<Gossip> g = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            g.add(start(fast("real-" + i).tag("role", "node").build()));
        }
        // The fourth binds the wildcard address and advertises loopback, as an agent would.
        List<UserEvent> ev3 = new CopyOnWriteArrayList<>();
        events.put("real-3", ev3);
        Gossip wildcard = Gossip.create(fast("real-3").tag("role", "node").build(),
                UdpTcpTransport.bind("0.0.0.0", 0, "127.0.0.1"), new Listener() {
                    @Override
                    public void onUserEvent(UserEvent e) {
                        ev3.add(e);
                    }
                });
        wildcard.start();
        started.add(wildcard);
        g.add(wildcard);
        for (int i = 1; i < 4; i++) {
            assertThat(g.get(i).join(List.of(g.get(0).address()))).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> g.stream().allMatch(x -> x.members().stream()
                .filter(m -> m.state() == MemberState.ALIVE).count() == 4));
        Member m0 = g.get(3).member("real-0").orElseThrow();
        assertThat(m0.port()).isEqualTo(g.get(0).localMember().port());
        assertThat(m0.tags()).containsEntry("role", "node");
        assertThat(m0.status()).isEqualTo(1);

        g.get(2).fireEvent("deploy", "v1".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(20)).until(() -> g.stream().allMatch(x -> events.get(x.name()).size() == 1));

        g.get(3).leave(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(20)).until(() -> stateOf(g.get(0), "real-3") == MemberState.LEFT
                && stateOf(g.get(1), "real-3") == MemberState.LEFT && stateOf(g.get(2), "real-3") == MemberState.LEFT);
        g.get(3).shutdown();

        g.get(1).shutdown(); // a crash: no leave
        await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(g.get(0), "real-1") == MemberState.FAILED
                && stateOf(g.get(2), "real-1") == MemberState.FAILED);
        assertThat(g.get(0).member("real-1").orElseThrow().status()).isEqualTo(4);
        assertThat(stateOf(g.get(0), "real-3")).isEqualTo(MemberState.LEFT);
        assertThat(g.get(0).stats().droppedMalformed()).isZero();
        assertThat(events.get("real-0")).hasSize(1);
    }

    @Test
    void aMemberWithTheWrongKeyCannotJoin() throws Exception {
        Gossip a = start(fast("key-a").encryptKey(KEY_A).build());
        Gossip b = start(fast("key-b").encryptKey(KEY_A).build());
        assertThat(b.join(List.of(a.address()))).isEqualTo(1);
        Gossip wrong = start(fast("key-wrong").encryptKey(KEY_B).build());
        assertThatThrownBy(() -> wrong.join(List.of(a.address())))
                .isInstanceOf(GossipException.class)
                .hasMessageContaining("join failed")
                .hasMessageContaining("encrypt key");
        Gossip none = start(fast("key-none").build());
        assertThatThrownBy(() -> none.join(List.of(a.address()))).isInstanceOf(GossipException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.member("key-a").map(Member::state).orElse(null) == MemberState.ALIVE);
        assertThat(a.stats().droppedDecrypt()).isGreaterThanOrEqualTo(2);
        assertThat(a.members()).extracting(Member::name).containsExactlyInAnyOrder("key-a", "key-b");
        assertThat(wrong.members()).extracting(Member::name).containsExactly("key-wrong");
    }
}
