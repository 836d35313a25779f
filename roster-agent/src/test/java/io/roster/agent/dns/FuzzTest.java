package io.roster.agent.dns;

import static io.roster.agent.dns.DnsAgent.node;
import static io.roster.agent.dns.DnsAgent.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Sends 100,000 mutated or malformed messages over UDP and as many over TCP (a seeded generator;
 * {@code -Droster.fuzz.seed=N} replays a run) and checks that the server answers each with a
 * well-formed reply or not at all, never fails internally (SERVFAIL: there are no recursors), and
 * still answers a valid question after every batch and at the end.
 */
class FuzzTest {
    private static final long SEED = Long.getLong("roster.fuzz.seed", 0x5EED_D115L);
    private static final int PACKETS = 100_000;
    private static final int BATCH = 32;
    /** A bound on each transport's run: far above what it needs, so only a stuck server reaches it. */
    private static final long TIME_LIMIT_NANOS = 240_000_000_000L;

    @RegisterExtension
    static final DnsAgent AGENT = DnsAgent.dev();

    private static final String[] NAMES = {
        "web.service.consul.", "primary.web.service.consul.", "_web._tcp.service.consul.", "n1.node.consul.",
        "n1.node.dc1.consul.", "7f000001.addr.consul.", "1.0.0.10.in-addr.arpa.", "consul.", "example.com.",
        "nosuch.service.consul.", "web.service.dc2.consul.", "q.query.consul.", "",
    };
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.SRV, Type.TXT, Type.ANY, Type.PTR, Type.SOA, Type.NS,
        Type.MX, Type.CNAME, Type.AXFR, Type.OPT, 0, 65535};

    @BeforeAll
    static void catalog() throws Exception {
        AGENT.register(node("n1", "10.0.0.1", Map.of("rack", "r1")), service("web-1", "web", "", 80, List.of("primary")));
        AGENT.register(node("n2", "10.0.0.2", Map.of()), service("web-2", "web", "192.0.2.2", 81, List.of()));
    }

    @Test
    void udpSurvivesMutatedPackets() throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED);
        Tally tally = new Tally();
        long start = System.nanoTime();
        int sent = 0;
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(AGENT.dns().address());
            s.setSoTimeout(DnsClient.TIMEOUT_MS);
            byte[] buf = new byte[65535];
            while (sent < PACKETS) {
                assertThat(System.nanoTime() - start).as("fuzzing took too long after %d packets", sent)
                        .isLessThan(TIME_LIMIT_NANOS);
                for (int i = 0; i < BATCH; i++) {
                    byte[] p = Mutator.packet(rnd);
                    s.send(new DatagramPacket(p, p.length));
                    sent++;
                }
                // A valid probe after each batch: its answer paces us and proves the server still works.
                Message probe = DnsClient.query("web.service.consul", Type.A);
                byte[] pw = probe.toWire();
                s.send(new DatagramPacket(pw, pw.length));
                while (true) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        s.receive(p);
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("no answer to a valid query after " + sent + " fuzz packets (seed "
                                + SEED + ")");
                    }
                    byte[] r = java.util.Arrays.copyOf(buf, p.getLength());
                    if (isProbeAnswer(r, probe)) {
                        break;
                    }
                    tally.reply(r);
                }
            }
        }
        System.out.printf("fuzz UDP: %d packets (seed %d): %s%n", sent, SEED, tally);
        assertThat(sent).isGreaterThanOrEqualTo(PACKETS);
        tally.assertSane();
        assertThat(DnsClient.rdata(AGENT.dns().udp("web.service.consul", Type.A), Section.ANSWER)).hasSize(2);
    }

    @Test
    void tcpSurvivesMutatedMessages() throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        Tally tally = new Tally();
        long start = System.nanoTime();
        int sent = 0;
        int hangups = 0;
        Socket s = connect();
        try {
            while (sent < PACKETS) {
                assertThat(System.nanoTime() - start).as("fuzzing took too long after %d messages", sent)
                        .isLessThan(TIME_LIMIT_NANOS);
                byte[] p = Mutator.packet(rnd);
                sent++;
                byte[] r;
                try {
                    r = exchange(s, p);
                } catch (EOFException | SocketException e) {
                    r = null;
                }
                if (r == null) { // the server hung up (not a query, or a response): fine, dial again
                    hangups++;
                    s.close();
                    s = connect();
                    continue;
                }
                tally.reply(r);
                if (sent % 1000 == 0) {
                    Message ok = DnsClient.parse(exchange(s, DnsClient.query("web.service.consul", Type.A).toWire()));
                    assertThat(ok.getSection(Section.ANSWER)).as("valid query after %d messages", sent).hasSize(2);
                }
            }
        } finally {
            s.close();
        }
        System.out.printf("fuzz TCP: %d messages (seed %d), %d hang-ups: %s%n", sent, SEED + 1, hangups, tally);
        tally.assertSane();
        assertThat(DnsClient.rdata(AGENT.dns().tcp("web.service.consul", Type.A), Section.ANSWER)).hasSize(2);
        assertThat(DnsClient.rdata(AGENT.dns().udp("web.service.consul", Type.A), Section.ANSWER)).hasSize(2);
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(AGENT.dns().address(), DnsClient.TIMEOUT_MS);
        s.setSoTimeout(DnsClient.TIMEOUT_MS);
        return s;
    }

    /** One framed message and its framed reply; null when the server closed the connection instead. */
    private static byte[] exchange(Socket s, byte[] p) throws IOException {
        OutputStream out = s.getOutputStream();
        byte[] framed = new byte[p.length + 2];
        framed[0] = (byte) (p.length >>> 8);
        framed[1] = (byte) p.length;
        System.arraycopy(p, 0, framed, 2, p.length);
        out.write(framed);
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        int hi = in.read();
        if (hi < 0) {
            return null;
        }
        int len = hi << 8 | in.readUnsignedByte();
        byte[] r = new byte[len];
        in.readFully(r);
        return r;
    }

    private static boolean isProbeAnswer(byte[] r, Message probe) {
        if (r.length < 12 || ((r[0] & 0xFF) << 8 | r[1] & 0xFF) != probe.getHeader().getID()) {
            return false;
        }
        Message m = DnsClient.parse(r);
        return probe.getQuestion().equals(m.getQuestion()) && m.getSection(Section.ANSWER).size() == 2;
    }

    /** Counts replies by rcode and checks each is a well-formed response. */
    private static final class Tally {
        private final Map<String, Integer> rcodes = new TreeMap<>();
        private final List<String> problems = new ArrayList<>();
        private int replies;

        void reply(byte[] r) {
            replies++;
            if (r.length < 12 || (r[2] & 0x80) == 0) {
                problems.add("not a response: " + java.util.HexFormat.of().formatHex(r));
                return;
            }
            try {
                Message m = new Message(r);
                rcodes.merge(Rcode.string(m.getRcode()), 1, Integer::sum);
            } catch (IOException e) {
                problems.add("unparseable reply (" + e.getMessage() + "): " + java.util.HexFormat.of().formatHex(r));
            }
        }

        void assertSane() {
            assertThat(problems).as("malformed replies").isEmpty();
            assertThat(rcodes).as("SERVFAIL means an internal error: there are no recursors").doesNotContainKey("SERVFAIL");
            assertThat(replies).isPositive();
            assertThat(new HashSet<>(rcodes.keySet())).contains("FORMERR");
        }

        @Override
        public String toString() {
            return replies + " replies " + rcodes;
        }
    }

    /** The seeded generator: valid queries, then mutated; and hand-made malformed messages. */
    static final class Mutator {
        private Mutator() {
        }

        static byte[] packet(SplittableRandom rnd) {
            int kind = rnd.nextInt(100);
            if (kind < 5) {
                return random(rnd, rnd.nextInt(0, 600));
            }
            if (kind < 10) {
                return crafted(rnd);
            }
            byte[] base = valid(rnd);
            if (kind < 15) {
                return base; // some untouched, so real lookups run in the mix
            }
            return mutate(rnd, base, 1 + rnd.nextInt(4));
        }

        static byte[] valid(SplittableRandom rnd) {
            String name = NAMES[rnd.nextInt(NAMES.length)];
            StringBuilder b = new StringBuilder(name.isEmpty() ? "." : name);
            for (int i = 0; i < b.length(); i++) {
                if (rnd.nextInt(4) == 0) {
                    b.setCharAt(i, Character.toUpperCase(b.charAt(i)));
                }
            }
            int type = TYPES[rnd.nextInt(TYPES.length)];
            Message m = rnd.nextBoolean() ? DnsClient.query(b.toString(), type)
                    : DnsClient.edns(b.toString(), type, rnd.nextInt(0, 70000) & 0xFFFF);
            m.getHeader().setID(rnd.nextInt(0x10000));
            return m.toWire();
        }

        static byte[] mutate(SplittableRandom rnd, byte[] p, int rounds) {
            for (int round = 0; round < rounds; round++) {
                switch (rnd.nextInt(8)) {
                    case 0 -> { // flip bits
                        int n = 1 + rnd.nextInt(8);
                        for (int i = 0; i < n && p.length > 0; i++) {
                            p[rnd.nextInt(p.length)] ^= (byte) (1 << rnd.nextInt(8));
                        }
                    }
                    case 1 -> { // random bytes
                        int n = 1 + rnd.nextInt(4);
                        for (int i = 0; i < n && p.length > 0; i++) {
                            p[rnd.nextInt(p.length)] = (byte) rnd.nextInt(256);
                        }
                    }
                    case 2 -> p = java.util.Arrays.copyOf(p, rnd.nextInt(p.length + 1)); // truncate
                    case 3 -> { // append garbage
                        byte[] tail = random(rnd, 1 + rnd.nextInt(64));
                        byte[] q = java.util.Arrays.copyOf(p, p.length + tail.length);
                        System.arraycopy(tail, 0, q, p.length, tail.length);
                        p = q;
                    }
                    case 4 -> { // header counts and flags
                        if (p.length >= 12) {
                            int at = 2 + 2 * rnd.nextInt(5);
                            p[at] = (byte) rnd.nextInt(256);
                            p[at + 1] = (byte) rnd.nextInt(256);
                        }
                    }
                    case 5 -> { // a compression pointer somewhere
                        if (p.length >= 14) {
                            int at = 12 + rnd.nextInt(p.length - 13);
                            p[at] = (byte) (0xC0 | rnd.nextInt(64));
                            p[at + 1] = (byte) rnd.nextInt(256);
                        }
                    }
                    case 6 -> { // a label length that overruns
                        if (p.length > 12) {
                            p[12 + rnd.nextInt(p.length - 12)] = (byte) (rnd.nextInt(2) == 0 ? 63 : rnd.nextInt(64, 192));
                        }
                    }
                    default -> { // duplicate a slice
                        if (p.length > 1) {
                            int from = rnd.nextInt(p.length);
                            int len = rnd.nextInt(1, p.length - from + 1);
                            byte[] q = new byte[p.length + len];
                            int at = rnd.nextInt(p.length + 1);
                            System.arraycopy(p, 0, q, 0, at);
                            System.arraycopy(p, from, q, at, len);
                            System.arraycopy(p, at, q, at + len, p.length - at);
                            p = q;
                        }
                    }
                }
            }
            // Keep the QR bit clear more often than not, so most messages reach the parser.
            if (p.length >= 3 && rnd.nextInt(4) != 0) {
                p[2] &= 0x7F;
            }
            return p;
        }

        /** Hand-made malformed messages: loops, overruns, absurd counts, long names. */
        static byte[] crafted(SplittableRandom rnd) {
            int id = rnd.nextInt(0x10000);
            byte[] h = {(byte) (id >>> 8), (byte) id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
            return switch (rnd.nextInt(7)) {
                case 0 -> concat(h, new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1}); // name points at itself
                case 1 -> concat(h, new byte[] {(byte) 0xC0, 14, (byte) 0xC0, 12, 0, 1, 0, 1}); // two-pointer loop
                case 2 -> concat(h, new byte[] {40, 'a', 'b', 0, 0, 1, 0, 1}); // label runs past the end
                case 3 -> { // 300-byte name
                    byte[] name = new byte[306];
                    for (int i = 0; i < 5; i++) {
                        name[i * 61] = 60;
                        java.util.Arrays.fill(name, i * 61 + 1, i * 61 + 61, (byte) 'x');
                    }
                    yield concat(h, concat(name, new byte[] {0, 0, 1, 0, 1}));
                }
                case 4 -> { // claims 65535 questions, has one
                    h[4] = (byte) 0xFF;
                    h[5] = (byte) 0xFF;
                    yield concat(h, new byte[] {3, 'w', 'e', 'b', 0, 0, 1, 0, 1});
                }
                case 5 -> { // an OPT record with a broken option
                    h[11] = 1;
                    yield concat(h, new byte[] {0, 0, 1, 0, 1, 0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 8, 0, 8, 0, 40, 1, 2});
                }
                default -> concat(h, random(rnd, rnd.nextInt(1, 40))); // a header, then noise
            };
        }

        static byte[] random(SplittableRandom rnd, int len) {
            byte[] b = new byte[len];
            for (int i = 0; i < len; i++) {
                b[i] = (byte) rnd.nextInt(256);
            }
            return b;
        }

        static byte[] concat(byte[] a, byte[] b) {
            byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }
}
