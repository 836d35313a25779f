package io.roster.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.roster.gossip.sim.SimCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The AES-GCM envelope, keyring operations and their propagation, and wrong-key members. */
class KeyringTest {
    static final String A = key("AAAAAAAAAAAAAAAA");
    static final String B = key("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
    static final String C = key("CCCCCCCCCCCCCCCCCCCCCCCC");

    static String key(String sixteenTo32) {
        return Base64.getEncoder().encodeToString(sixteenTo32.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void envelopeRoundTripsAndRejectsWrongKeysAndTampering() {
        Keyring ring = new Keyring(List.of(GossipConfig.decodeKey(A)));
        byte[] plain = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = ring.encrypt(plain);
        assertThat(sealed).hasSize(plain.length + Keyring.OVERHEAD);
        assertThat(sealed[0]).isEqualTo(Keyring.VERSION);
        assertThat(ring.encrypt(plain)).as("random nonce per packet").isNotEqualTo(sealed);
        assertThat(ring.decrypt(sealed)).isEqualTo(plain);

        Keyring other = new Keyring(List.of(GossipConfig.decodeKey(B)));
        assertThat(other.decrypt(sealed)).isNull();
        other.add(GossipConfig.decodeKey(A));
        assertThat(other.decrypt(sealed)).as("decrypt tries every installed key").isEqualTo(plain);

        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThat(ring.decrypt(tampered)).isNull();
        assertThat(ring.decrypt(new byte[] {Keyring.VERSION, 1, 2})).isNull();
    }

    @Test
    void keysMustBe16_24or32BytesOfBase64() {
        assertThat(GossipConfig.decodeKey(C)).hasSize(24);
        assertThatThrownBy(() -> GossipConfig.decodeKey(key("short"))).hasMessageContaining("16, 24 or 32 bytes");
        assertThatThrownBy(() -> GossipConfig.decodeKey("not base64!")).hasMessageContaining("base64");
    }

    private static SimCluster encrypted(long seed, int n) {
        SimCluster c = new SimCluster(seed, b -> b.encryptKey(A));
        c.addMany(n);
        assertThat(c.joinAll(true, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
        return c;
    }

    private static boolean everywhere(SimCluster c, String key, boolean present, boolean primary) {
        for (Gossip g : c.running()) {
            List<KeyStatus> ks = g.keyring().list();
            boolean has = ks.stream().anyMatch(k -> k.key().equals(key));
            if (has != present) {
                return false;
            }
            if (present && primary && ks.stream().noneMatch(k -> k.key().equals(key) && k.primary())) {
                return false;
            }
        }
        return true;
    }

    @Test
    void installUseRemovePropagateToEveryMemberAndListCountsHolders() {
        SimCluster c = encrypted(21, 20);
        Gossip op = c.get("n003");
        op.keyring().install(B);
        assertThat(c.scheduler().runUntil(() -> everywhere(c, B, true, false), Duration.ofSeconds(30), Duration.ofMillis(200))).isTrue();
        assertThat(c.scheduler().runUntil(() -> op.keyring().list().stream()
                .anyMatch(k -> k.key().equals(B) && k.members() == 20 && k.totalMembers() == 20), Duration.ofSeconds(30), Duration.ofMillis(200)))
                .as("list() reports B on all 20 members").isTrue();

        op.keyring().use(B);
        assertThat(c.scheduler().runUntil(() -> everywhere(c, B, true, true), Duration.ofSeconds(30), Duration.ofMillis(200))).isTrue();
        op.keyring().remove(A);
        assertThat(c.scheduler().runUntil(() -> everywhere(c, A, false, false), Duration.ofSeconds(30), Duration.ofMillis(200))).isTrue();
        assertThat(c.scheduler().runUntil(() -> c.get("n011").keyring().list().equals(List.of(new KeyStatus(B, true, 20, 20, 20))),
                Duration.ofSeconds(30), Duration.ofMillis(200))).isTrue();

        // The pool still works on the new key alone: events and failure detection.
        c.get("n000").fireEvent("after-rotation", new byte[0]);
        c.kill("n019");
        assertThat(c.scheduler().runUntil(() -> c.countSeeing("n019", MemberState.FAILED) == 19,
                Duration.ofSeconds(60), Duration.ofMillis(500))).isTrue();
        for (Gossip g : c.running()) {
            assertThat(c.recorder(g.name()).events()).extracting(UserEvent::name).containsExactly("after-rotation");
            assertThat(g.stats().droppedDecrypt()).isZero();
        }
    }

    @Test
    void keyringOperationsRefuseWhatConsulRefuses() {
        SimCluster c = encrypted(22, 3);
        Gossip g = c.get("n000");
        assertThatThrownBy(() -> g.keyring().remove(A)).isInstanceOf(GossipException.class).hasMessageContaining("primary");
        assertThatThrownBy(() -> g.keyring().use(C)).isInstanceOf(GossipException.class).hasMessageContaining("not installed");
        assertThatThrownBy(() -> g.keyring().remove(C)).isInstanceOf(GossipException.class).hasMessageContaining("not installed");
        SimCluster plain = new SimCluster(23, b -> b);
        Gossip p = plain.add("p");
        assertThatThrownBy(() -> p.keyring().install(B)).isInstanceOf(GossipException.class)
                .hasMessageContaining("encryption is not enabled");
        assertThat(p.keyring().list()).isEmpty();
    }

    @Test
    void aWrongKeyMemberCannotJoinAndItsPacketsAreDroppedCountedAndLoggedOncePerInterval() {
        Logger log = (Logger) LoggerFactory.getLogger(GossipCore.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        log.addAppender(appender);
        try {
            SimCluster c = encrypted(24, 5);
            Gossip wrong = c.add("intruder", b -> b.encryptKey(B));
            CompletableFuture<Integer> f = wrong.joinAsync(List.of(c.get("n000").address()));
            c.runFor(Duration.ofSeconds(15));
            assertThat(f).isCompletedExceptionally();
            for (Gossip g : List.of(c.get("n000"), c.get("n001"))) {
                assertThat(g.members()).extracting(Member::name).doesNotContain("intruder");
            }
            // Its packets: each dropped and counted, one log line per source per interval.
            Gossip target = c.get("n001");
            byte[] sealed = wrong.onLoop(() -> wrong.core().wrap(Codec.encode(new Msg.Ping(1, "n001", "intruder"))));
            long before = target.stats().droppedDecrypt();
            target.onLoop(() -> {
                for (int i = 0; i < 5; i++) {
                    target.core().onPacket("10.9.9.9:8301", sealed);
                }
                return null;
            });
            assertThat(target.stats().droppedDecrypt()).isEqualTo(before + 5);
            List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("10.9.9.9:8301")).toList();
            assertThat(lines).containsExactly(
                    "gossip: dropped packet from 10.9.9.9:8301: no installed key decrypts it (wrong or missing encrypt key?)");
            assertThat(appender.list.stream().map(ILoggingEvent::getFormattedMessage))
                    .anyMatch(m -> m.startsWith("gossip: dropped stream from intruder:8301: no installed key decrypts it"));
        } finally {
            log.detachAppender(appender);
        }
    }
}
