package io.roster.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roster.gossip.sim.SimCluster;
import io.roster.gossip.transport.Transport;
import io.roster.gossip.transport.UdpTcpTransport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of everything a member reads: random bytes, and valid messages mutated (bit flips,
 * truncation, insertion, corrupted lengths, splices). Nothing may escape the loop (the simulation
 * would rethrow it), every drop is counted, and the member still answers probes afterwards.
 */
class FuzzTest {
    private static final String KEY = KeyringTest.A;

    /** Valid encoded messages to mutate. */
    static List<byte[]> corpus() {
        Msg.Alive alive = new Msg.Alive(3, "n001", "n001", 8301, 1, Map.of("role", "node", "dc", "dc1"));
        List<byte[]> c = new ArrayList<>(List.of(
                Codec.encode(new Msg.Ping(7, "n000", "n001")),
                Codec.encode(new Msg.IndirectPing(8, "n002", "n002:8301", true, "n001")),
                Codec.encode(new Msg.Ack(7)),
                Codec.encode(new Msg.Nack(8)),
                Codec.encode(new Msg.Suspect(3, "n002", "n001")),
                Codec.encode(alive),
                Codec.encode(new Msg.Dead(3, "n002", "n001", false)),
                Codec.encode(new Msg.UserEventMsg(5, "deploy", "v1".getBytes(StandardCharsets.UTF_8), false)),
                Codec.encode(new Msg.KeyOp(2, Msg.KeyOp.INSTALL, GossipConfig.decodeKey(KeyringTest.B))),
                Codec.encode(new Msg.KeyReport("n001", 4, 11, new long[] {11, 12})),
                Codec.encode(new Msg.PushPull(false, 5, 2, List.of(new Msg.MemberEntry(alive, Msg.MemberEntry.ALIVE)),
                        List.of(), List.of(), List.of()))));
        c.add(Codec.encode(new Msg.Compound(List.of(c.get(0), c.get(4), c.get(7)))));
        return c;
    }

    static byte[] mutate(Random r, List<byte[]> corpus, int max) {
        int kind = r.nextInt(10);
        if (kind == 0) {
            byte[] b = new byte[r.nextInt(max + 200)];
            r.nextBytes(b);
            return b;
        }
        byte[] b = corpus.get(r.nextInt(corpus.size())).clone();
        switch (kind) {
            case 1, 2, 3 -> {
                for (int i = 0, n = 1 + r.nextInt(4); i < n && b.length > 0; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 4, 5 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 6 -> {
                int at = r.nextInt(b.length + 1);
                byte[] ins = new byte[1 + r.nextInt(16)];
                r.nextBytes(ins);
                byte[] out = new byte[b.length + ins.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(ins, 0, out, at, ins.length);
                System.arraycopy(b, at, out, at + ins.length, b.length - at);
                b = out;
            }
            case 7 -> {
                // Corrupt what is likely a length or count: a big or negative number somewhere.
                if (b.length > 4) {
                    int at = 1 + r.nextInt(b.length - 4);
                    b[at] = (byte) (r.nextBoolean() ? 0x7F : 0xFF);
                    b[at + 1] = (byte) 0xFF;
                }
            }
            case 8 -> {
                byte[] other = corpus.get(r.nextInt(corpus.size()));
                int cut = r.nextInt(b.length + 1);
                int from = r.nextInt(other.length + 1);
                byte[] out = new byte[cut + other.length - from];
                System.arraycopy(b, 0, out, 0, cut);
                System.arraycopy(other, from, out, cut, other.length - from);
                b = out;
            }
            default -> b[0] = (byte) r.nextInt(256); // unknown or wrong type byte
        }
        return b;
    }

    @Test
    void hundredThousandMutatedPacketsAndTenThousandStreamsIntoALiveMember() throws Exception {
        SimCluster c = new SimCluster(41, b -> b);
        c.addMany(4);
        assertThat(c.joinAll(false, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
        Gossip target = c.get("n000");
        GossipCore core = target.core();
        Random r = new Random(41);
        List<byte[]> corpus = corpus();
        int packets = 100_000;
        for (int batch = 0; batch < 100; batch++) {
            for (int i = 0; i < packets / 100; i++) {
                byte[] p = mutate(r, corpus, 1400);
                String from = "fuzz-" + r.nextInt(50) + ":8301";
                target.onLoop(() -> {
                    core.onPacket(from, p);
                    return null;
                });
            }
            c.runFor(Duration.ofMillis(200)); // let the member act on whatever got through
        }
        int[] replies = {0};
        for (int i = 0; i < 10_000; i++) {
            byte[] s = mutate(r, corpus, 4000);
            target.onLoop(() -> {
                core.onStream("fuzz:1", s, reply -> replies[0]++);
                return null;
            });
        }
        assertThat(replies[0]).as("every stream answered or closed exactly once").isEqualTo(10_000);
        GossipStats st = target.stats();
        assertThat(st.packetsIn()).isGreaterThanOrEqualTo(packets);
        assertThat(st.droppedMalformed()).isGreaterThan(packets / 2);
        assertThat(st.droppedOversize()).isPositive();

        // Still a working member: it answers probes and gossip, and nobody thinks it failed.
        c.runFor(Duration.ofSeconds(60));
        for (String peer : List.of("n001", "n002", "n003")) {
            assertThat(c.get(peer).member("n000").orElseThrow().state()).isIn(MemberState.ALIVE);
        }
        // And it answers a probe of its own: a ping from a bare endpoint gets an ack.
        List<byte[]> got = new ArrayList<>();
        Transport prober = c.network().transport("prober", 9);
        prober.start(new Transport.Handler() {
            @Override
            public void onPacket(String from, byte[] packet) {
                got.add(packet);
            }

            @Override
            public void onStream(String from, byte[] request, java.util.function.Consumer<byte[]> reply) {
                reply.accept(null);
            }
        });
        prober.sendPacket(target.address(), Codec.encode(new Msg.Ping(424242, "n000", "prober")));
        c.runFor(Duration.ofSeconds(1));
        assertThat(got).anyMatch(p -> containsAck(p, 424242));
    }

    /** Whether a packet is, or carries in a compound, the ack for {@code seq}. */
    static boolean containsAck(byte[] packet, int seq) {
        Msg m = Codec.decode(packet);
        if (m instanceof Msg.Ack a) {
            return a.seq() == seq;
        }
        if (m instanceof Msg.Compound c) {
            return c.parts().stream().anyMatch(p -> Codec.decode(p) instanceof Msg.Ack a && a.seq() == seq);
        }
        return false;
    }

    @Test
    void mutatedPacketsSealedWithTheRightKeyReachTheDecoderSafely() {
        SimCluster c = new SimCluster(42, b -> b.encryptKey(KEY));
        c.addMany(3);
        assertThat(c.joinAll(false, Duration.ofSeconds(30))).isZero();
        assertThat(c.awaitConverged(Duration.ofSeconds(60))).isTrue();
        Gossip target = c.get("n000");
        GossipCore core = target.core();
        Random r = new Random(42);
        List<byte[]> corpus = corpus();
        for (int i = 0; i < 10_000; i++) {
            byte[] plain = mutate(r, corpus, 1300);
            target.onLoop(() -> {
                byte[] p = core.wrap(plain);
                if (r.nextInt(4) == 0) {
                    p[r.nextInt(p.length)] ^= 1; // and some sealed packets tampered with
                }
                core.onPacket("fuzz:1", p);
                return null;
            });
            if (i % 1000 == 0) {
                c.runFor(Duration.ofMillis(200));
            }
        }
        GossipStats st = target.stats();
        assertThat(st.droppedDecrypt()).isPositive();
        assertThat(st.droppedMalformed()).isPositive();
        c.runFor(Duration.ofSeconds(30));
        assertThat(c.get("n001").member("n000").orElseThrow().state()).isEqualTo(MemberState.ALIVE);
    }

    @Test
    void garbageOverRealUdpIsDroppedAndTheMemberStillAnswersProbes() throws Exception {
        GossipConfig.Builder fast = RealUdpTest.fast("udp-fuzz-0");
        try (Gossip a = Gossip.create(fast.build(), UdpTcpTransport.bind("127.0.0.1", 0), Listener.NONE);
             Gossip b = Gossip.create(RealUdpTest.fast("udp-fuzz-1").build(), UdpTcpTransport.bind("127.0.0.1", 0), Listener.NONE);
             DatagramSocket sock = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            a.start();
            b.start();
            assertThat(b.join(List.of(a.address()))).isEqualTo(1);
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", a.localMember().port());
            Random r = new Random(43);
            List<byte[]> corpus = corpus();
            int sent = 20_000;
            for (int i = 0; i < sent; i++) {
                byte[] p = mutate(r, corpus, 1400);
                if (i % 1000 == 0) {
                    p = new byte[3000]; // oversized
                }
                sock.send(new DatagramPacket(p, p.length, to));
                if (i % 2000 == 0) {
                    Thread.sleep(20); // let the loop drain: we test robustness, not socket buffers
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> a.stats().droppedMalformed() > sent / 4);
            // It still answers a probe: ping it from our socket and read the ack.
            byte[] ping = Codec.encode(new Msg.Ping(777, "udp-fuzz-0", "tester"));
            sock.setSoTimeout(200);
            boolean acked = false;
            for (int attempt = 0; attempt < 25 && !acked; attempt++) {
                sock.send(new DatagramPacket(ping, ping.length, to));
                long until = System.currentTimeMillis() + 200;
                while (!acked && System.currentTimeMillis() < until) {
                    DatagramPacket in = new DatagramPacket(new byte[65_536], 65_536);
                    try {
                        sock.receive(in);
                    } catch (java.net.SocketTimeoutException e) {
                        break;
                    }
                    acked = containsAck(Arrays.copyOf(in.getData(), in.getLength()), 777);
                }
            }
            assertThat(acked).isTrue();
            // The flood may have cost some of b's probes (socket buffers) and a suspicion: a refutes it.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> b.member("udp-fuzz-0").orElseThrow().state() == MemberState.ALIVE);
            assertThat(a.stats().droppedOversize()).isPositive();
        }
    }
}
