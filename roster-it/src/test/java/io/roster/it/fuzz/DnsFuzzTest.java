package io.roster.it.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.agent.Agent;
import io.roster.agent.AgentConfig;
import io.roster.agent.dns.DnsServer;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Seeded fuzzing of the DNS server (io.roster.agent.dns) of a real dev agent in this JVM, over UDP
 * and TCP: queries built with dnsjava for the names the server knows (services, tags, nodes,
 * prepared queries, {@code addr}, reverse names, other domains) with random types, classes, opcodes,
 * header flags and EDNS options, then most of them mutated byte by byte (bit flips, truncation,
 * inserted and deleted bytes, hostile section counts, compression pointers that loop or point past
 * the end, labels over 63 bytes, names over 255), or plain random bytes. Over TCP also bad length
 * prefixes and messages cut short.
 *
 * <p>Must hold: no input makes the server count an internal error ({@code Stats.errors}: a query
 * handler that threw), every reply is a DNS message dnsjava parses, carrying the query's ID; after
 * every UDP input a valid probe query is answered (so no input stopped or wedged the UDP loop); a
 * TCP connection answers or hangs up, never stalls past the server's read timeout; and at the end a
 * real {@code dig} (UDP and TCP) gets the registered service's addresses. {@code -Dfuzz.inputs=N}
 * (default 10,000), {@code -Dfuzz.seed=S} (default 1, CI's regression seed; printed),
 * {@code -Dfuzz.threads=T} (default 4): client {@code i} draws its inputs from {@code S + 1000003 i}, so
 * the inputs replay with the same seed and threads (their interleaving at the server does not).
 */
class DnsFuzzTest {
    static final List<String> NAMES = List.of("web.service.consul.", "primary.web.service.consul.", "web.service.dc1.consul.",
            "_web._tcp.service.consul.", "n1.node.consul.", "n1.node.dc1.consul.", "fuzz-node.node.consul.", "web.query.consul.",
            "0a000001.addr.dc1.consul.", "1.0.0.10.in-addr.arpa.", "consul.", "service.consul.", "node.consul.",
            "nosuch.service.consul.", "web.connect.consul.", "web.ingress.consul.", "example.com.", ".", "a.b.c.d.e.f.g.consul.",
            "web.service.dc2.consul.", "web.virtual.consul.", "x.y.z.", "*.service.consul.", "web..service.consul.");
    static final int[] TYPES = {Type.A, Type.AAAA, Type.SRV, Type.TXT, Type.ANY, Type.PTR, Type.SOA, Type.NS, Type.CNAME,
        Type.MX, Type.OPT, Type.AXFR, Type.IXFR, 0, 255, 65535, 99, 250};
    /** The probe's name: a node the server knows, which no generated input asks for. */
    static final Name PROBE = Name.fromConstantString("n2.node.consul.");
    static final int[] CLASSES = {DClass.IN, DClass.IN, DClass.IN, DClass.CH, DClass.ANY, DClass.NONE, 0, 65535};

    @Test
    void malformedAndRandomQueriesNeverBreakTheServer() throws Exception {
        int inputs = Integer.getInteger("fuzz.inputs", 10_000);
        long seed = Long.getLong("fuzz.seed", 1L);
        System.out.printf("DnsFuzzTest: %d inputs from seed %d (replay: -Dfuzz.seed=%d -Dfuzz.inputs=%d)%n", inputs, seed, seed, inputs);
        String dig = findDig();
        if (dig == null && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("dig is not installed: CI must install bind9-dnsutils");
        }
        Assumptions.assumeTrue(dig != null, "dig is not installed (apt-get install bind9-dnsutils)");
        int threads = Integer.getInteger("fuzz.threads", 4);
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        try (Agent agent = new Agent(AgentConfig.builder().dev(true).httpPort(0).dnsPort(0).nodeName("fuzz-node").build()).start()) {
            register(agent);
            DnsServer dns = agent.dns();
            InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), dns.port());
            assertThat(digShort(dig, dns.port(), "web.service.consul")).as("dig before fuzzing").contains("10.0.0.1");
            long errors0 = dns.stats().errors();
            long t1 = System.nanoTime();
            List<Worker> workers = new ArrayList<>();
            List<Thread> running = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                // worker 0 draws from the seed itself, so one thread replays what the seed names
                Worker worker = new Worker(w, new Random(seed + 1_000_003L * w), inputs / threads + (w < inputs % threads ? 1 : 0),
                        server, failures);
                workers.add(worker);
                running.add(Thread.ofPlatform().name("dns-fuzz-" + w).start(worker));
            }
            for (Thread t : running) {
                t.join();
            }
            long ms = (System.nanoTime() - t1) / 1_000_000;
            TreeMap<String, Integer> rcodes = new TreeMap<>();
            workers.forEach(w -> w.rcodes.forEach((k, v) -> rcodes.merge(k, v, Integer::sum)));
            long errors = dns.stats().errors() - errors0;
            System.out.printf("DnsFuzzTest: %d inputs (%d UDP, %d TCP) from %d thread(s) in %d ms; rcodes of replies %s; "
                    + "%d UDP inputs unanswered (dropped); server stats %s; %d failures%n", inputs,
                    workers.stream().mapToInt(w -> w.udpInputs).sum(), workers.stream().mapToInt(w -> w.tcpInputs).sum(), threads, ms,
                    rcodes, workers.stream().mapToInt(w -> w.unanswered).sum(), dns.stats(), failures.size());
            failures.forEach(f -> System.out.println("DnsFuzzTest: " + f));
            assertThat(failures).as("seed %d", seed).isEmpty();
            assertThat(workers).as("every worker finished its inputs").allMatch(w -> w.done);
            assertThat(errors).as("internal errors counted by the DNS server (a handler that threw), seed %d", seed).isZero();
            assertThat(rcodes).as("inputs reached the resolver, not only the parser").containsKeys("NOERROR", "FORMERR");
            assertThat(digShort(dig, dns.port(), "web.service.consul")).as("dig over UDP after fuzzing").contains("10.0.0.1", "10.0.0.2");
            assertThat(digShort(dig, dns.port(), "+tcp", "web.service.consul")).as("dig over TCP after fuzzing").contains("10.0.0.1", "10.0.0.2");
        }
        System.out.printf("DnsFuzzTest: done in %d ms with the agent's start%n", (System.nanoTime() - t0) / 1_000_000);
    }

    /** One client: its own UDP socket and TCP connection, its own random stream. */
    private static final class Worker implements Runnable {
        final int id;
        final Random rnd;
        final int inputs;
        final InetSocketAddress server;
        final List<String> failures;
        final TreeMap<String, Integer> rcodes = new TreeMap<>();
        int udpInputs;
        int tcpInputs;
        int unanswered;
        volatile boolean done;

        Worker(int id, Random rnd, int inputs, InetSocketAddress server, List<String> failures) {
            this.id = id;
            this.rnd = rnd;
            this.inputs = inputs;
            this.server = server;
            this.failures = failures;
        }

        @Override
        public void run() {
            long t0 = System.nanoTime();
            try (DatagramSocket udp = new DatagramSocket(); Tcp tcp = new Tcp(server)) {
                udp.connect(server);
                udp.setSoTimeout(5000);
                int probeId = 1;
                for (int i = 0; i < inputs && failures.size() < 20; i++) {
                    byte[] in = generate(rnd);
                    String at = "worker " + id + " #" + i;
                    if (rnd.nextInt(4) == 0) {
                        tcpInputs++;
                        String problem = tcp.send(in, rnd, rcodes);
                        if (problem != null) {
                            failures.add(at + " TCP " + problem + ": " + hex(in));
                        }
                    } else {
                        udpInputs++;
                        udp.send(new DatagramPacket(in, in.length));
                        // a valid probe after the input: its answer shows the loop still serves; replies
                        // that come before it are the input's (one socket, one server thread, in order)
                        probeId = probeId % 60000 + 1;
                        Message probe = Message.newQuery(Record.newRecord(PROBE, Type.A, DClass.IN));
                        probe.getHeader().setID(probeId);
                        byte[] pw = probe.toWire();
                        udp.send(new DatagramPacket(pw, pw.length));
                        boolean sawInputReply = false;
                        while (true) {
                            DatagramPacket p = new DatagramPacket(new byte[65535], 65535);
                            try {
                                udp.receive(p);
                            } catch (SocketTimeoutException e) {
                                failures.add(at + " UDP: the probe after this input was not answered in 5 s: " + hex(in));
                                break;
                            }
                            byte[] reply = Arrays.copyOf(p.getData(), p.getLength());
                            Message m;
                            try {
                                m = new Message(reply);
                            } catch (IOException e) {
                                failures.add(at + " UDP reply does not parse (" + e.getMessage() + "): " + hex(in) + " -> " + hex(reply));
                                break;
                            }
                            if (m.getHeader().getID() == probeId && m.getHeader().getFlag(Flags.QR)
                                    && m.getQuestion() != null && m.getQuestion().getName().equals(PROBE)) {
                                break;
                            }
                            sawInputReply = true;
                            rcodes.merge(Rcode.string(m.getRcode()), 1, Integer::sum);
                            if (in.length >= 2 && m.getHeader().getID() != ((in[0] & 0xFF) << 8 | in[1] & 0xFF)) {
                                failures.add(at + " UDP reply's ID " + m.getHeader().getID() + " is not the query's: " + hex(in));
                            }
                        }
                        if (!sawInputReply) {
                            unanswered++;
                        }
                    }
                    if (i % 50_000 == 49_999) {
                        System.out.printf("DnsFuzzTest: worker %d, %d inputs, %d failures in all, %d ms%n", id, i + 1, failures.size(),
                                (System.nanoTime() - t0) / 1_000_000);
                    }
                }
                done = true;
            } catch (IOException | RuntimeException e) {
                failures.add("worker " + id + " stopped: " + e);
            }
        }
    }

    // ---- inputs ------------------------------------------------------------------------------

    static byte[] generate(Random rnd) {
        int kind = rnd.nextInt(100);
        if (kind < 5) {
            byte[] b = new byte[rnd.nextInt(rnd.nextBoolean() ? 13 : 600)];
            rnd.nextBytes(b);
            return b;
        }
        byte[] q = query(rnd);
        if (kind < 25) {
            return q;
        }
        int mutations = 1 + rnd.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            q = mutate(rnd, q);
        }
        return q;
    }

    /** A well-formed query, or one with a hostile name (long labels, many labels) built by hand. */
    static byte[] query(Random rnd) {
        Message m;
        try {
            Name name = Name.fromString(rnd.nextInt(10) == 0 ? randomName(rnd) : NAMES.get(rnd.nextInt(NAMES.size())));
            m = Message.newQuery(Record.newRecord(name, TYPES[rnd.nextInt(TYPES.length)], CLASSES[rnd.nextInt(CLASSES.length)]));
        } catch (IOException | RuntimeException e) {
            m = Message.newQuery(Record.newRecord(Name.root, Type.A, DClass.IN));
        }
        m.getHeader().setID(rnd.nextInt(65536));
        if (rnd.nextInt(5) == 0) {
            m.getHeader().setOpcode(rnd.nextInt(16));
        }
        for (int f : new int[] {Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
            if (rnd.nextInt(8) == 0) {
                if (m.getHeader().getFlag(f)) {
                    m.getHeader().unsetFlag(f);
                } else {
                    m.getHeader().setFlag(f);
                }
            }
        }
        if (rnd.nextInt(10) == 0) {
            m.getHeader().setRcode(rnd.nextInt(16));
        }
        if (rnd.nextBoolean()) {
            List<EDNSOption> opts = new ArrayList<>();
            for (int i = rnd.nextInt(3); i > 0; i--) {
                byte[] data = new byte[rnd.nextInt(rnd.nextBoolean() ? 8 : 300)];
                rnd.nextBytes(data);
                int code = rnd.nextBoolean() ? EDNSOption.Code.CLIENT_SUBNET : rnd.nextInt(65536);
                opts.add(new GenericEDNSOption(code, data));
            }
            int payload = rnd.nextBoolean() ? 1232 : rnd.nextInt(65536);
            m.addRecord(new OPTRecord(payload, rnd.nextInt(256), rnd.nextInt(3), rnd.nextBoolean() ? Flags.DO : 0, opts), Section.ADDITIONAL);
            if (rnd.nextInt(20) == 0) { // two OPT records: FORMERR per RFC 6891
                m.addRecord(new OPTRecord(512, 0, 0), Section.ADDITIONAL);
            }
        }
        if (rnd.nextInt(15) == 0) { // a second question
            m.addRecord(Record.newRecord(Name.fromConstantString("n1.node.consul."), Type.A, DClass.IN), Section.QUESTION);
        }
        byte[] w = m.toWire();
        if (rnd.nextInt(12) == 0) {
            w = hostileName(rnd, w);
        }
        return w;
    }

    private static String randomName(Random rnd) {
        StringBuilder sb = new StringBuilder();
        for (int i = rnd.nextInt(8); i >= 0; i--) {
            int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 63);
            for (int j = 0; j < len; j++) {
                sb.append("abcdefghijklmnopqrstuvwxyz0123456789-_".charAt(rnd.nextInt(38)));
            }
            sb.append('.');
        }
        sb.append(rnd.nextBoolean() ? "consul." : "service.consul.");
        return sb.toString();
    }

    /** Replaces the question's name (at offset 12) with one dnsjava would not write. */
    private static byte[] hostileName(Random rnd, byte[] w) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(w, 0, 12);
        switch (rnd.nextInt(5)) {
            case 0 -> { // a label over 63 bytes (length byte 64-191 is not a length)
                int len = 64 + rnd.nextInt(128);
                out.write(len);
                for (int i = 0; i < Math.min(len, 120); i++) {
                    out.write('a');
                }
                out.write(0);
            }
            case 1 -> { // a name over 255 bytes
                for (int l = 0; l < 8; l++) {
                    out.write(63);
                    for (int i = 0; i < 63; i++) {
                        out.write('b');
                    }
                }
                out.write(0);
            }
            case 2 -> { // a pointer to itself
                out.write(0xC0);
                out.write(12);
            }
            case 3 -> { // a pointer past the end
                out.write(0xFF);
                out.write(0xFF);
            }
            default -> { // two pointers to each other
                out.write(0xC0);
                out.write(14);
                out.write(0xC0);
                out.write(12);
            }
        }
        out.write(0);
        out.write(1);
        out.write(0);
        out.write(1);
        return out.toByteArray();
    }

    static byte[] mutate(Random rnd, byte[] q) {
        if (q.length == 0) {
            return new byte[] {(byte) rnd.nextInt(256)};
        }
        byte[] b = q.clone();
        switch (rnd.nextInt(7)) {
            case 0 -> { // bit flips
                for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length)); // truncated
            case 2 -> { // a hostile section count
                if (b.length >= 12) {
                    int at = 4 + 2 * rnd.nextInt(4);
                    int v = rnd.nextBoolean() ? 0xFFFF : rnd.nextInt(8);
                    b[at] = (byte) (v >> 8);
                    b[at + 1] = (byte) v;
                }
            }
            case 3 -> { // bytes inserted
                int at = rnd.nextInt(b.length + 1);
                byte[] ins = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 200)];
                rnd.nextBytes(ins);
                byte[] n = new byte[b.length + ins.length];
                System.arraycopy(b, 0, n, 0, at);
                System.arraycopy(ins, 0, n, at, ins.length);
                System.arraycopy(b, at, n, at + ins.length, b.length - at);
                b = n;
            }
            case 4 -> { // bytes deleted
                int at = rnd.nextInt(b.length);
                int len = 1 + rnd.nextInt(Math.min(8, b.length - at));
                byte[] n = new byte[b.length - len];
                System.arraycopy(b, 0, n, 0, at);
                System.arraycopy(b, at + len, n, at, b.length - at - len);
                b = n;
            }
            case 5 -> { // a random byte set to an edge value
                int at = rnd.nextInt(b.length);
                b[at] = (byte) new int[] {0, 0xFF, 0x3F, 0x40, 0xC0, 0x7F, 0x80}[rnd.nextInt(7)];
            }
            default -> { // a compression pointer somewhere
                if (b.length >= 14) {
                    int at = 12 + rnd.nextInt(b.length - 13);
                    b[at] = (byte) (0xC0 | rnd.nextInt(64));
                    b[at + 1] = (byte) rnd.nextInt(256);
                }
            }
        }
        return b;
    }

    // ---- TCP ---------------------------------------------------------------------------------

    /** One TCP connection at a time, opened again when the server hangs up. */
    private static final class Tcp implements AutoCloseable {
        private final InetSocketAddress server;
        private Socket s;

        Tcp(InetSocketAddress server) {
            this.server = server;
        }

        /** Sends one framed input (sometimes badly framed); null when the server answered well or hung up, else the problem. */
        String send(byte[] in, Random rnd, TreeMap<String, Integer> rcodes) throws IOException {
            if (s == null || s.isClosed()) {
                s = new Socket();
                s.connect(server, 5000);
                // longer than the server's read and idle timeouts (2 s, 8 s): a stall past them is a hang
                s.setSoTimeout(12_000);
            }
            // a frame longer than its message makes the server wait its read timeout (2 s): rare
            int framing = rnd.nextInt(1000);
            int len = framing == 0 ? rnd.nextInt(65536) : framing == 1 ? in.length + 1 + rnd.nextInt(10) : in.length;
            OutputStream out = s.getOutputStream();
            byte[] frame = new byte[2 + in.length];
            frame[0] = (byte) (len >> 8);
            frame[1] = (byte) len;
            System.arraycopy(in, 0, frame, 2, in.length);
            try {
                out.write(frame);
                out.flush();
            } catch (IOException e) {
                s.close(); // the server hung up on an earlier input
                return null;
            }
            DataInputStream din = new DataInputStream(s.getInputStream());
            try {
                int rlen = din.readUnsignedShort();
                byte[] reply = new byte[rlen];
                din.readFully(reply);
                Message m;
                try {
                    m = new Message(reply);
                } catch (IOException e) {
                    return "reply does not parse (" + e.getMessage() + ") -> " + hex(reply);
                }
                rcodes.merge(Rcode.string(m.getRcode()), 1, Integer::sum);
                if (in.length >= 2 && m.getHeader().getID() != ((in[0] & 0xFF) << 8 | in[1] & 0xFF)) {
                    return "reply's ID " + m.getHeader().getID() + " is not the query's";
                }
                if (len != in.length) {
                    // answered although the frame was wrong: the next message's bytes are out of step
                    s.close();
                }
                return null;
            } catch (SocketTimeoutException e) {
                s.close();
                return "neither answered nor hung up within 12 s (frame length " + len + ", message " + in.length + ")";
            } catch (EOFException | java.net.SocketException e) {
                s.close(); // hung up: a dropped query
                return null;
            }
        }

        @Override
        public void close() throws IOException {
            if (s != null) {
                s.close();
            }
        }
    }

    // ---- fixtures ----------------------------------------------------------------------------

    private static void register(Agent agent) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = agent.httpAddress();
        for (String body : List.of(
                "{\"Node\":\"n1\",\"Address\":\"10.0.0.1\",\"Service\":{\"ID\":\"web-1\",\"Service\":\"web\",\"Port\":80,\"Tags\":[\"primary\"]}}",
                "{\"Node\":\"n2\",\"Address\":\"10.0.0.2\",\"Service\":{\"ID\":\"web-2\",\"Service\":\"web\",\"Port\":81}}")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/catalog/register"))
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("register %s: %s", body, r.body()).isEqualTo(200);
        }
        HttpResponse<String> q = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/query"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"Name\":\"web\",\"Service\":{\"Service\":\"web\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println("DnsFuzzTest: prepared query 'web': " + q.statusCode());
    }

    private static String findDig() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "dig");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static String digShort(String dig, int port, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(dig, "@127.0.0.1", "-p", String.valueOf(port), "+time=3", "+tries=2", "+short"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("dig did not finish: " + cmd);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 120); i++) {
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.append(b.length > 120 ? "...(" + b.length + " bytes)" : "").toString();
    }
}
