package io.roster.bench;

import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * DNS throughput of Roster next to a C authoritative server (NSD, or Knot) in the same run:
 * the same catalog, served by a {@code roster agent -dev} process from its catalog and by the other
 * server from an equivalent static zone, each on its own port of 127.0.0.1, loaded by {@code dnsperf}
 * with the same query file, in alternating rounds. Prints queries/s, latency and the ratio; asserts
 * nothing. Every process and phase is bounded in time.
 *
 * <pre>bench/run-dns                          full run (10 s warm-up, 3 rounds of 10 s per server)
 * bench/run-dns --smoke                  2 s warm-up, 1 round of 3 s (for CI)
 * bench/run-dns --server knot --seconds 20 --rounds 5 --clients 16</pre>
 *
 * Needs Debian's dnsperf and nsd (or knot).
 */
public final class DnsBench {
    private static final int SERVICES = 100;
    private static final Pattern QPS = Pattern.compile("Queries per second:\\s+([0-9.]+)");
    private static final Pattern LOST = Pattern.compile("Queries lost:\\s+(\\d+)");
    private static final Pattern SENT = Pattern.compile("Queries sent:\\s+(\\d+)");
    private static final Pattern LATENCY = Pattern.compile("Average Latency \\(s\\):\\s+([0-9.]+)");
    private static final Pattern CODES = Pattern.compile("Response codes:\\s+(.*)");

    private final boolean smoke;
    private final int seconds;
    private final int rounds;
    private final int clients;
    private final int threads;
    private final String serverKind;
    private final Path work;
    private final List<Process> processes = new ArrayList<>();

    private DnsBench(boolean smoke, int seconds, int rounds, int clients, int threads, String serverKind) throws IOException {
        this.smoke = smoke;
        this.seconds = seconds;
        this.rounds = rounds;
        this.clients = clients;
        this.threads = threads;
        this.serverKind = serverKind;
        this.work = Files.createTempDirectory("roster-dns-bench");
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        int seconds = 10;
        int rounds = 3;
        int clients = 16;
        int threads = 2;
        String server = "auto";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--server" -> server = args[++i];
                default -> {
                    System.err.println("dns bench: unknown argument " + args[i]
                            + " (use --smoke, --seconds N, --rounds N, --clients N, --threads N, --server nsd|knot)");
                    System.exit(2);
                }
            }
        }
        if (smoke) {
            seconds = Math.min(seconds, 3);
            rounds = 1;
        }
        DnsBench b = new DnsBench(smoke, seconds, rounds, clients, threads, server);
        int rc;
        try {
            rc = b.run(Path.of(System.getProperty("roster.home", ".")).toAbsolutePath());
        } finally {
            b.stopAll();
        }
        System.exit(rc);
    }

    private int run(Path home) throws Exception {
        String dnsperf = which("dnsperf");
        String kind = serverKind.equals("auto") ? (which("nsd") != null ? "nsd" : which("knotd") != null ? "knot" : null)
                : serverKind;
        String missing = dnsperf == null ? "dnsperf" : kind == null ? "nsd or knot" : which(kind.equals("knot") ? "knotd" : "nsd") == null ? kind : null;
        if (missing != null) {
            String msg = "dns bench: " + missing + " is not installed (apt-get install dnsperf nsd)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                System.err.println(msg);
                return 1;
            }
            System.out.println(msg + "; skipped");
            return 0;
        }
        System.out.printf(Locale.ROOT, "# Roster DNS benchmark (%s) on %d cores, %s; dnsperf -c %d -T %d, %d s x %d rounds%n",
                smoke ? "smoke" : "full", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + Runtime.version(), clients, threads, seconds, rounds);

        int rosterDns = freePort();
        int rosterHttp = freePort();
        int otherPort = freePort();
        startRoster(home, rosterHttp, rosterDns);
        registerCatalog(rosterHttp);
        Path zone = writeZone();
        if (kind.equals("nsd")) {
            startNsd(zone, otherPort);
        } else {
            startKnot(zone, otherPort);
        }
        awaitDns(otherPort, Duration.ofSeconds(20));
        Path queries = writeQueries();
        System.out.printf(Locale.ROOT, "catalog: %d services (1 with 3 instances, %d with 2), %d nodes; zone for %s: %d records%n",
                SERVICES + 1, SERVICES, SERVICES + 3, kind, Files.readAllLines(zone).size() - 2);
        System.out.println("answers equivalent: " + compare(rosterDns, otherPort, queries));

        run(dnsperf, rosterDns, queries, smoke ? 2 : 10, "roster warm-up (JIT)");
        List<Double> roster = new ArrayList<>();
        List<Double> other = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            roster.add(run(dnsperf, rosterDns, queries, seconds, "roster round " + r));
            other.add(run(dnsperf, otherPort, queries, seconds, kind + " round " + r));
        }
        double rq = median(roster);
        double oq = median(other);
        System.out.printf(Locale.ROOT, "%nresult: roster %.0f queries/s, %s %.0f queries/s (medians of %d); ratio %.2fx%n",
                rq, kind, oq, rounds, rq / oq);
        return 0;
    }

    // ------------------------------------------------------------------ the catalog and its zone

    private static String node(int i) {
        return "node-" + i;
    }

    private static String nodeAddr(int i) {
        return "10.0." + (2 + i / 250) + "." + (1 + i % 250);
    }

    private void registerCatalog(int httpPort) throws Exception {
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<String> bodies = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            bodies.add("{\"Node\":\"web-node-" + k + "\",\"Address\":\"10.0.1." + k + "\",\"Service\":{\"ID\":\"web-" + k
                    + "\",\"Service\":\"web\",\"Port\":80}}");
        }
        for (int i = 0; i < SERVICES; i++) {
            for (int j : new int[] {i, (i + 1) % SERVICES}) {
                bodies.add("{\"Node\":\"" + node(j) + "\",\"Address\":\"" + nodeAddr(j) + "\",\"Service\":{\"ID\":\"svc-" + i
                        + "-" + j + "\",\"Service\":\"svc-" + i + "\",\"Port\":" + (9000 + i) + "}}");
            }
        }
        for (String body : bodies) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/catalog/register"))
                    .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("register failed: " + r.statusCode() + " " + r.body());
            }
        }
    }

    /** The same records as a static zone: what Roster answers for the same names, TTL 0. */
    private Path writeZone() throws IOException {
        List<String> z = new ArrayList<>(List.of("$ORIGIN consul.", "$TTL 0",
                "@ IN SOA ns.consul. hostmaster.consul. 1 3600 600 86400 0", "@ IN NS ns.consul.", "ns IN A 127.0.0.1"));
        for (int k = 1; k <= 3; k++) {
            z.add("web.service IN A 10.0.1." + k);
            z.add("web.service IN SRV 1 1 80 web-node-" + k + ".node.dc1.consul.");
            z.add("web-node-" + k + ".node.dc1 IN A 10.0.1." + k);
            z.add("web-node-" + k + ".node IN A 10.0.1." + k);
        }
        for (int i = 0; i < SERVICES; i++) {
            for (int j : new int[] {i, (i + 1) % SERVICES}) {
                z.add("svc-" + i + ".service IN A " + nodeAddr(j));
                z.add("_svc-" + i + "._tcp.service IN SRV 1 1 " + (9000 + i) + " " + node(j) + ".node.dc1.consul.");
            }
            z.add(node(i) + ".node.dc1 IN A " + nodeAddr(i));
            z.add(node(i) + ".node IN A " + nodeAddr(i));
        }
        Path p = work.resolve("consul.zone");
        Files.write(p, z);
        return p;
    }

    /** A fixed mix: hot service A and SRV, many services, RFC 2782 SRV, nodes, and 10% unknown names. */
    private Path writeQueries() throws IOException {
        Random rnd = new Random(42);
        List<String> q = new ArrayList<>();
        for (int n = 0; n < 10_000; n++) {
            int roll = rnd.nextInt(100);
            int i = rnd.nextInt(SERVICES);
            if (roll < 30) {
                q.add("web.service.consul A");
            } else if (roll < 40) {
                q.add("web.service.consul SRV");
            } else if (roll < 60) {
                q.add("svc-" + i + ".service.consul A");
            } else if (roll < 70) {
                q.add("_svc-" + i + "._tcp.service.consul SRV");
            } else if (roll < 90) {
                q.add(node(i) + ".node.consul A");
            } else {
                q.add("nosuch-" + i + ".service.consul A");
            }
        }
        Path p = work.resolve("queries.txt");
        Files.write(p, q);
        return p;
    }

    /** How many distinct queries get the same rcode and the same set of answer records from both servers. */
    private String compare(int rosterPort, int otherPort, Path queries) throws Exception {
        Set<String> distinct = new LinkedHashSet<>(Files.readAllLines(queries));
        int same = 0;
        int n = 0;
        List<String> diffs = new ArrayList<>();
        for (String line : distinct) {
            if (n == 40) {
                break;
            }
            n++;
            String[] parts = line.split(" ");
            String a = summary(ask(rosterPort, parts[0], Type.value(parts[1])));
            String b = summary(ask(otherPort, parts[0], Type.value(parts[1])));
            if (a.equals(b)) {
                same++;
            } else if (diffs.size() < 3) {
                diffs.add(line + ": roster " + a + " / other " + b);
            }
        }
        return same + "/" + n + (diffs.isEmpty() ? "" : " " + diffs);
    }

    private static String summary(Message m) {
        List<String> answers = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            answers.add(r.getName() + " " + Type.string(r.getType()) + " " + r.rdataToString());
        }
        Collections.sort(answers);
        return org.xbill.DNS.Rcode.string(m.getRcode()) + answers;
    }

    private static Message ask(int port, String name, int type) throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN));
        byte[] w = q.toWire();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(2000);
            s.send(new DatagramPacket(w, w.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            return new Message(java.util.Arrays.copyOf(buf, p.getLength()));
        }
    }

    // ------------------------------------------------------------------ dnsperf

    private double run(String dnsperf, int port, Path queries, int secs, String label) throws Exception {
        List<String> cmd = List.of(dnsperf, "-s", "127.0.0.1", "-p", String.valueOf(port), "-d", queries.toString(),
                "-l", String.valueOf(secs), "-c", String.valueOf(clients), "-T", String.valueOf(threads), "-t", "2");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        if (!p.waitFor(secs + 30L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("dnsperf did not finish: " + cmd);
        }
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        double qps = number(QPS, out);
        System.out.printf(Locale.ROOT, "%-22s %9.0f queries/s  avg latency %6.3f ms  sent %s lost %s  codes: %s%n", label,
                qps, number(LATENCY, out) * 1000, text(SENT, out), text(LOST, out), text(CODES, out));
        if (Double.isNaN(qps)) {
            System.out.println(out);
        }
        return qps;
    }

    private static double number(Pattern p, String out) {
        Matcher m = p.matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static String text(Pattern p, String out) {
        Matcher m = p.matcher(out);
        return m.find() ? m.group(1).trim() : "?";
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    // ------------------------------------------------------------------ processes

    private void startRoster(Path home, int httpPort, int dnsPort) throws Exception {
        Path cliJar = home.resolve("roster-cli/target/roster-cli.jar");
        Path lib = home.resolve("roster-cli/target/lib");
        if (!Files.exists(cliJar)) {
            throw new IllegalStateException("build first: " + cliJar + " is missing");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:+UseG1GC"));
        String extra = System.getenv("ROSTER_BENCH_AGENT_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", cliJar + File.pathSeparator + lib + File.separator + "*", "io.roster.cli.Main", "agent",
                "-dev", "-http-port=" + httpPort, "-dns-port=" + dnsPort, "-log-level=warn"));
        Process p = start(cmd, "roster");
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/status/leader"))
                .timeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("roster exited: " + Files.readString(work.resolve("roster.log")));
            }
            try {
                if (c.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    awaitDns(dnsPort, Duration.ofSeconds(10));
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("roster did not answer within 30 s");
    }

    private void startNsd(Path zone, int port) throws Exception {
        Path conf = work.resolve("nsd.conf");
        Files.writeString(conf, String.join("\n",
                "server:",
                "  ip-address: 127.0.0.1",
                "  port: " + port,
                "  server-count: " + Runtime.getRuntime().availableProcessors(),
                "  username: \"\"",
                "  zonesdir: \"" + work + "\"",
                "  pidfile: \"" + work.resolve("nsd.pid") + "\"",
                "  database: \"\"",
                "  xfrdfile: \"" + work.resolve("xfrd.state") + "\"",
                "  zonelistfile: \"" + work.resolve("zone.list") + "\"",
                "  logfile: \"" + work.resolve("nsd.log") + "\"",
                "  hide-version: yes",
                "  rrl-ratelimit: 0", // response rate limiting is on by default: off, or dnsperf loses queries
                "  rrl-whitelist-ratelimit: 0",
                "remote-control:",
                "  control-enable: no",
                "zone:",
                "  name: consul.",
                "  zonefile: " + zone.getFileName(),
                ""));
        start(List.of(which("nsd"), "-d", "-c", conf.toString()), "nsd");
    }

    private void startKnot(Path zone, int port) throws Exception {
        Path conf = work.resolve("knot.conf");
        Files.createDirectories(work.resolve("knot"));
        Files.writeString(conf, String.join("\n",
                "server:",
                "  rundir: \"" + work.resolve("knot") + "\"",
                "  listen: 127.0.0.1@" + port,
                "  udp-workers: " + Runtime.getRuntime().availableProcessors(),
                "log:",
                "  - target: stderr",
                "    any: warning",
                "database:",
                "  storage: \"" + work.resolve("knot") + "\"",
                "template:",
                "  - id: default",
                "    storage: \"" + work + "\"",
                "zone:",
                "  - domain: consul.",
                "    file: \"" + zone.getFileName() + "\"",
                ""));
        start(List.of(which("knotd"), "-c", conf.toString()), "knot");
    }

    private Process start(List<String> cmd, String name) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile())
                .start();
        processes.add(p);
        return p;
    }

    /** Waits until something answers DNS on the port. */
    private void awaitDns(int port, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ask(port, "consul", Type.SOA);
                return;
            } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
                // not yet
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        for (Process p : processes) {
            if (!p.isAlive()) {
                System.out.println("exited early: " + p.info().command().orElse("?"));
            }
        }
        throw new IllegalStateException("nothing answers DNS on port " + port + " (logs in " + work + ")");
    }

    private void stopAll() throws IOException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        try (var files = Files.walk(work)) {
            files.sorted(Collections.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static String which(String cmd) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, cmd);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/local/sbin")) {
            Path p = Path.of(dir, cmd);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        // A port free for both TCP and UDP.
        for (int i = 0; i < 20; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                try {
                    new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).close();
                    return port;
                } catch (IOException e) {
                    // taken for UDP: try another
                }
            }
        }
        throw new IOException("no free port");
    }
}
