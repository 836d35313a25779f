package io.roster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.it.hosts.Agents;
import io.roster.it.hosts.Host;
import io.roster.it.hosts.Launcher;
import io.roster.it.hosts.NetHosts;
import io.roster.it.hosts.NetHostsExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19's check on separate hosts: certificates made by the real CLI ({@code roster tls ca
 * create}, {@code roster tls cert create -server|-client|-cli}), three servers and a client agent
 * on network-namespace hosts with docs/tls.md's configuration ({@code verify_incoming},
 * {@code verify_outgoing}, {@code verify_server_hostname}; HTTPS on 8501 and no plaintext API).
 * The cluster forms and replicates, the client agent's service reaches the servers' catalog over
 * the TLS server RPC; curl needs {@code --cacert} and, as HTTPS has {@code verify_incoming}, a
 * client certificate; plaintext to 8501 gets Jetty's 400; a fourth server holding a certificate of
 * another CA, and then one holding a client certificate of the right CA, are never added to Raft,
 * the leader saying why on one line; the servers' certificates are renewed on disk and picked up by
 * SIGHUP, {@code roster reload} with Consul's variables and with its flags, writes succeeding
 * throughout, and the new certificates are served on 8501 and 8300.
 */
class MultiHostTlsTest {
    @RegisterExtension
    static final NetHostsExtension HOSTS = NetHostsExtension.perTest();
    private static final List<String> IPS = List.of("10.10.10.10", "10.10.10.11", "10.10.10.12");
    private static final String CLIENT_IP = "10.10.10.13";
    private static final String ROGUE_IP = "10.10.10.14";
    private static final Duration CLI = Duration.ofSeconds(60);

    /** Runs the real CLI with {@code dir} as its working directory (roster tls writes there). */
    private static Host.Result cli(Host h, Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "cd \"$0\" && exec \"$@\"", dir.toString()));
        cmd.addAll(Launcher.javaCommand());
        cmd.addAll(List.of(args));
        Host.Result r = h.exec(CLI, null, cmd);
        assertThat(r.exit()).as("roster %s: %s", String.join(" ", args), r.describe()).isZero();
        return r;
    }

    /** The CLI's HTTPS options for curl inside a host: the CA, and the CLI certificate unless {@code withCert} is false. */
    private record Pki(Path ca, Path cliCert, Path cliKey) {
        List<String> curl(boolean withCert) {
            List<String> o = new ArrayList<>(List.of("--cacert", ca.toString()));
            if (withCert) {
                o.addAll(List.of("--cert", cliCert.toString(), "--key", cliKey.toString()));
            }
            return o;
        }
    }

    /** curl in the host with options; status 0 and curl's error when no HTTP answer came. */
    private static Host.HttpResult curl(Host h, List<String> opts, String method, String url, String body) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-m", "10", "-X", method, "-o", "-", "-w", "\n%{http_code}"));
        cmd.addAll(opts);
        if (body != null) {
            cmd.addAll(List.of("--data-binary", "@-"));
        }
        cmd.add(url);
        Host.Result r = h.exec(Duration.ofSeconds(15), body, cmd);
        if (!r.ok()) {
            return new Host.HttpResult(0, r.err().strip());
        }
        int nl = r.out().lastIndexOf('\n');
        return new Host.HttpResult(Integer.parseInt(r.out().substring(nl + 1).strip()), r.out().substring(0, nl));
    }

    private static Host.HttpResult https(Host h, Pki pki, String method, String path, String body) {
        return curl(h, pki.curl(true), method, "https://127.0.0.1:8501" + path, body);
    }

    private static String leader(Host h, Pki pki) {
        Host.HttpResult r = https(h, pki, "GET", "/v1/status/leader", null);
        return r.status() == 200 ? r.json().asText() : "";
    }

    private static Set<String> peers(Host h, Pki pki) {
        Set<String> out = new TreeSet<>();
        Host.HttpResult r = https(h, pki, "GET", "/v1/status/peers", null);
        if (r.status() == 200) {
            r.json().forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static boolean put(Host h, Pki pki, String key, String value) {
        Host.HttpResult r = https(h, pki, "PUT", "/v1/kv/" + key, value);
        return r.status() == 200 && r.body().strip().equals("true");
    }

    private static String stale(Host h, Pki pki, String key) {
        Host.HttpResult r = https(h, pki, "GET", "/v1/kv/" + key + "?raw&stale", null);
        return r.status() == 200 ? r.body() : null;
    }

    /** docs/tls.md's agent configuration, with this agent's certificate. */
    private static Path config(Path dir, Path ca, Path cert, Path key) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("tls.hcl"), """
                datacenter = "dc1"
                tls {
                  defaults {
                    ca_file   = "%s"
                    cert_file = "%s"
                    key_file  = "%s"
                    verify_incoming = true
                    verify_outgoing = true
                  }
                  internal_rpc {
                    verify_server_hostname = true
                  }
                }
                ports {
                  https = 8501
                  http  = -1
                }
                """.formatted(ca, cert, key));
    }

    /** Copies a certificate and its key into an agent's own directory (as an operator hands them out). */
    private static Path[] install(Path from, String name, Path to) throws IOException {
        Files.createDirectories(to);
        Path cert = Files.copy(from.resolve(name + ".pem"), to.resolve("agent.pem"), StandardCopyOption.REPLACE_EXISTING);
        Path key = Files.copy(from.resolve(name + "-key.pem"), to.resolve("agent-key.pem"), StandardCopyOption.REPLACE_EXISTING);
        return new Path[] {cert, key};
    }

    private static BigInteger serial(Path pem) throws Exception {
        try (var in = new ByteArrayInputStream(Files.readAllBytes(pem))) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getSerialNumber();
        }
    }

    private static final Pattern SERIAL = Pattern.compile("serial=([0-9A-Fa-f]+)");

    /** The serial of the certificate a TLS server in the host presents to a new connection (openssl s_client). */
    private static BigInteger served(Host h, Pki pki, String hostPort, String alpn) {
        Host.Result r = h.exec(Duration.ofSeconds(20), null, List.of("bash", "-c",
                "openssl s_client -connect \"$0\" -alpn \"$1\" -CAfile \"$2\" -cert \"$3\" -key \"$4\" </dev/null 2>/dev/null"
                        + " | openssl x509 -noout -serial",
                hostPort, alpn, pki.ca().toString(), pki.cliCert().toString(), pki.cliKey().toString()));
        Matcher m = SERIAL.matcher(r.out());
        assertThat(m.find()).as("openssl against %s in %s: %s", hostPort, h, r.describe()).isTrue();
        return new BigInteger(m.group(1), 16);
    }

    private static String readLog(Host.Proc p) {
        try {
            return Files.readString(p.log());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> serverArgs(NetHosts hosts, String name, String ip, Path conf, boolean expect) {
        List<String> a = new ArrayList<>(List.of("-server", "-node=" + name, "-bind=" + ip, "-config-file=" + conf,
                "-data-dir=" + hosts.logDir().resolve(name + "-data"), "-log-level=info"));
        if (expect) {
            a.add("-bootstrap-expect=3");
        }
        IPS.forEach(s -> a.add("-retry-join=" + s));
        return a;
    }

    @Test
    void tlsClusterOnSeparateHostsRefusesOtherCertificatesAndRotates(NetHosts hosts) throws Exception {
        List<Host> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            servers.add(hosts.addHost("meta-" + (i + 1), IPS.get(i)));
        }
        Host client = hosts.addHost("pg-1", CLIENT_IP);

        // The operator's PKI, made by the real CLI.
        Path pkiDir = Files.createDirectories(hosts.logDir().resolve("pki"));
        Host.Result ca = cli(servers.get(0), pkiDir, "tls", "ca", "create");
        assertThat(ca.out()).contains("==> Saved consul-agent-ca.pem", "==> Saved consul-agent-ca-key.pem");
        for (int i = 0; i < 3; i++) {
            assertThat(cli(servers.get(0), pkiDir, "tls", "cert", "create", "-server", "-dc", "dc1").out())
                    .contains("==> Saved dc1-server-consul-" + i + ".pem");
        }
        assertThat(cli(servers.get(0), pkiDir, "tls", "cert", "create", "-client", "-dc", "dc1").out())
                .contains("==> Saved dc1-client-consul-0.pem");
        assertThat(cli(servers.get(0), pkiDir, "tls", "cert", "create", "-cli", "-dc", "dc1").out())
                .contains("==> Saved dc1-cli-consul-0.pem");
        Path caFile = pkiDir.resolve("consul-agent-ca.pem");
        Pki pki = new Pki(caFile, pkiDir.resolve("dc1-cli-consul-0.pem"), pkiDir.resolve("dc1-cli-consul-0-key.pem"));

        List<Path[]> serverCerts = new ArrayList<>();
        List<Host.Proc> procs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            String name = "meta-" + (i + 1);
            Path etc = hosts.logDir().resolve(name + "-etc");
            Path[] cert = install(pkiDir, "dc1-server-consul-" + i, etc.resolve("tls"));
            serverCerts.add(cert);
            Path conf = config(etc, caFile, cert[0], cert[1]);
            procs.add(servers.get(i).startAgent("agent", serverArgs(hosts, name, IPS.get(i), conf, true)));
        }
        Set<String> raftAddrs = new TreeSet<>();
        IPS.forEach(ip -> raftAddrs.add(ip + ":8300"));
        for (int i = 0; i < 3; i++) {
            Host h = servers.get(i);
            Host.Proc p = procs.get(i);
            Agents.await(Duration.ofSeconds(120)).failFast(() -> !p.isAlive()).until(() -> raftAddrs.contains(leader(h, pki)));
        }
        System.out.printf("MultiHostTlsTest: 3 TLS server hosts up with a leader in %d ms (JVM starts included)%n",
                (System.nanoTime() - t0) / 1_000_000);
        String leader = leader(servers.get(0), pki);
        for (Host h : servers) {
            assertThat(peers(h, pki)).as("peers on %s", h).isEqualTo(raftAddrs);
        }

        // HTTPS as curl sees it: the CA and a client certificate are needed; plaintext on 8501 is answered 400.
        Host s1 = servers.get(0);
        Host.HttpResult noCa = curl(s1, List.of(), "GET", "https://127.0.0.1:8501/v1/status/leader", null);
        assertThat(noCa.status()).as("no --cacert: %s", noCa).isZero();
        assertThat(noCa.body()).contains("certificate");
        Host.HttpResult noCert = curl(s1, pki.curl(false), "GET", "https://127.0.0.1:8501/v1/status/leader", null);
        assertThat(noCert.status()).as("no client certificate: %s", noCert).isZero();
        assertThat(https(s1, pki, "GET", "/v1/status/leader", null).toString()).isEqualTo("200 \"" + leader + "\"");
        Host.HttpResult plain = curl(s1, List.of(), "GET", "http://127.0.0.1:8501/v1/status/leader", null);
        assertThat(plain.status()).as(plain.toString()).isEqualTo(400);
        assertThat(plain.body().strip()).isEqualTo("Client sent an HTTP request to an HTTPS server.");
        Host.HttpResult http8500 = curl(s1, List.of(), "GET", "http://127.0.0.1:8500/v1/status/leader", null);
        assertThat(http8500.status()).as("ports.http = -1: %s", http8500).isZero();

        // /v1/agent/self: the HTTPS port and the TLS configuration, as Consul's DebugConfig shows them.
        JsonNode debug = https(s1, pki, "GET", "/v1/agent/self", null).json().path("DebugConfig");
        assertThat(debug.path("HTTPSPort").asInt()).isEqualTo(8501);
        assertThat(debug.path("HTTPPort").asInt()).isEqualTo(-1);
        assertThat(debug.path("HTTPSAddrs").get(0).asText()).isEqualTo("tcp://127.0.0.1:8501");
        JsonNode rpcTls = debug.path("TLS").path("InternalRPC");
        assertThat(rpcTls.path("CertFile").asText()).isEqualTo(serverCerts.get(0)[0].toString());
        assertThat(rpcTls.path("KeyFile").asText()).isEqualTo("hidden");
        assertThat(rpcTls.path("VerifyIncoming").asBoolean()).isTrue();
        assertThat(rpcTls.path("VerifyOutgoing").asBoolean()).isTrue();
        assertThat(rpcTls.path("VerifyServerHostname").asBoolean()).isTrue();
        assertThat(debug.path("TLS").path("HTTPS").path("VerifyServerHostname").asBoolean()).isFalse();
        assertThat(debug.path("TLS").path("ServerMode").asBoolean()).isTrue();

        // Writes on a follower replicate to every server.
        Host follower = servers.stream().filter(h -> !leader.startsWith(h.ip() + ":")).findFirst().orElseThrow();
        assertThat(put(follower, pki, "tls/before", "1")).isTrue();
        for (Host h : servers) {
            Agents.await(Duration.ofSeconds(30)).until(() -> "1".equals(stale(h, pki, "tls/before")));
        }

        // The client agent: its own certificate, the server RPC under TLS with server-name checks.
        Path clientEtc = hosts.logDir().resolve("pg-1-etc");
        Path[] clientCert = install(pkiDir, "dc1-client-consul-0", clientEtc.resolve("tls"));
        Path clientConf = config(clientEtc, caFile, clientCert[0], clientCert[1]);
        List<String> clientArgs = new ArrayList<>(List.of("-node=pg-1", "-bind=" + CLIENT_IP, "-config-file=" + clientConf,
                "-data-dir=" + hosts.logDir().resolve("pg-1-data"), "-log-level=info"));
        IPS.forEach(s -> clientArgs.add("-retry-join=" + s));
        Host.Proc clientProc = client.startAgent("agent", clientArgs);
        Agents.await(Duration.ofSeconds(90)).failFast(() -> !clientProc.isAlive())
                .until(() -> leader.equals(leader(client, pki)));
        Agents.await(Duration.ofSeconds(30)).until(() -> https(client, pki, "PUT", "/v1/agent/service/register",
                "{\"Name\":\"pg\",\"Port\":5432,\"Tags\":[\"primary\"]}").status() == 200);
        for (Host h : servers) {
            Agents.await(Duration.ofSeconds(60)).until(() -> {
                Host.HttpResult r = https(h, pki, "GET", "/v1/catalog/service/pg?stale", null);
                if (r.status() != 200 || r.json().size() != 1) {
                    return false;
                }
                JsonNode e = r.json().get(0);
                return e.path("Node").asText().equals("pg-1") && e.path("Address").asText().equals(CLIENT_IP)
                        && e.path("ServicePort").asInt() == 5432;
            });
        }
        assertThat(stale(client, pki, "tls/before")).isEqualTo("1");

        // The CLI over HTTPS with Consul's variables.
        Host.Result members = client.exec(CLI, null, withEnv(pki, List.of("members")));
        assertThat(members.exit()).as(members.describe()).isZero();
        assertThat(members.out()).contains("pg-1", "meta-1", "meta-2", "meta-3", CLIENT_IP + ":8301");

        // A fourth server whose certificate comes from another CA (it trusts ours): never added to Raft.
        Host rogueHost = hosts.addHost("meta-4", ROGUE_IP);
        Path otherDir = Files.createDirectories(hosts.logDir().resolve("pki-other"));
        cli(rogueHost, otherDir, "tls", "ca", "create");
        cli(rogueHost, otherDir, "tls", "cert", "create", "-server", "-dc", "dc1");
        Path rogueEtc = hosts.logDir().resolve("meta-4-etc");
        Path[] rogueCert = install(otherDir, "dc1-server-consul-0", rogueEtc.resolve("tls"));
        Host.Proc rogue = rogueHost.startAgent("agent",
                serverArgs(hosts, "meta-4", ROGUE_IP, config(rogueEtc, caFile, rogueCert[0], rogueCert[1]), false));
        Host.Proc leaderProc = procs.get(IPS.indexOf(leader.substring(0, leader.indexOf(':'))));
        String refused = awaitLogLine(leaderProc, "Raft: cannot add server meta-4 (" + ROGUE_IP + ":8300) yet: ");
        System.out.println("MultiHostTlsTest: the leader on a server of another CA: " + refused);
        assertThat(refused).contains("unable to find valid certification path");
        String itself = awaitLogLine(rogue, "Raft: cannot reach server meta-");
        System.out.println("MultiHostTlsTest: the server of another CA itself: " + itself);
        assertThat(itself).contains("to be added to the cluster: ").containsIgnoringCase("certificate");
        assertThat(peers(servers.get(0), pki)).isEqualTo(raftAddrs);
        assertThat(put(follower, pki, "tls/rogue", "1")).isTrue();
        assertThat(rogue.isAlive()).isTrue();
        rogueHost.kill9();

        // The same host with a client certificate of our CA: the chain is good, but it does not name server.dc1.consul.
        install(pkiDir, "dc1-client-consul-0", rogueEtc.resolve("tls"));
        List<String> asClient = serverArgs(hosts, "meta-4", ROGUE_IP, rogueEtc.resolve("tls.hcl"), false);
        asClient.replaceAll(a -> a.startsWith("-data-dir=") ? a + "-2" : a);
        Host.Proc notAServer = rogueHost.startAgent("agent", asClient);
        int offset = readLog(leaderProc).indexOf(refused) + refused.length();
        String refusedName = awaitLogLine(leaderProc, "is not valid for server.dc1.consul", offset);
        System.out.println("MultiHostTlsTest: the leader on a client certificate posing as a server: " + refusedName);
        assertThat(refusedName).contains("Raft: cannot add server meta-4 (" + ROGUE_IP + ":8300) yet: ");
        assertThat(peers(servers.get(0), pki)).isEqualTo(raftAddrs);
        assertThat(notAServer.isAlive()).isTrue();
        rogueHost.kill9();

        // Rotation: new server certificates from the CLI over the files in use; SIGHUP on meta-1, roster reload
        // (Consul's variables) on meta-2, roster reload (flags) on meta-3; a write after every step, all acknowledged.
        List<BigInteger> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String saved = cli(servers.get(0), pkiDir, "tls", "cert", "create", "-server", "-dc", "dc1").out();
            assertThat(saved).contains("==> Saved dc1-server-consul-" + (i + 3) + ".pem");
            install(pkiDir, "dc1-server-consul-" + (i + 3), serverCerts.get(i)[0].getParent());
            expected.add(serial(serverCerts.get(i)[0]));
        }
        int writes = 0;
        for (int i = 0; i < 3; i++) {
            Host h = servers.get(i);
            BigInteger renewed = expected.get(i);
            BigInteger before = served(h, pki, "127.0.0.1:8501", "http/1.1");
            assertThat(before).isNotEqualTo(renewed);
            switch (i) {
                case 0 -> assertThat(h.exec(CLI, "kill", "-HUP", Long.toString(procs.get(0).pid())).exit()).isZero();
                case 1 -> {
                    Host.Result r = h.exec(CLI, null, withEnv(pki, List.of("reload")));
                    assertThat(r.exit()).as(r.describe()).isZero();
                    assertThat(r.out()).contains("Configuration reload triggered");
                }
                default -> {
                    List<String> cmd = new ArrayList<>(Launcher.javaCommand());
                    cmd.addAll(List.of("reload", "-http-addr=https://127.0.0.1:8501", "-ca-file=" + pki.ca(),
                            "-client-cert=" + pki.cliCert(), "-client-key=" + pki.cliKey()));
                    Host.Result r = h.exec(CLI, null, cmd);
                    assertThat(r.exit()).as(r.describe()).isZero();
                }
            }
            Agents.await(Duration.ofSeconds(20)).until(() -> served(h, pki, "127.0.0.1:8501", "http/1.1").equals(renewed));
            assertThat(served(h, pki, h.ip() + ":8300", "h2")).as("server port of %s", h).isEqualTo(renewed);
            for (Host w : servers) {
                assertThat(put(w, pki, "tls/rotation/" + writes, Integer.toString(writes))).as("write %d through %s", writes, w).isTrue();
                writes++;
            }
        }
        System.out.printf("MultiHostTlsTest: %d writes acknowledged during the rotation, every one on its first try%n", writes);
        // The cluster is whole: one leader and three voters everywhere, the client agent still served, everything replicated.
        for (Host h : servers) {
            assertThat(peers(h, pki)).as("peers on %s after the rotation", h).isEqualTo(raftAddrs);
            int last = writes - 1;
            Agents.await(Duration.ofSeconds(30)).until(() -> Integer.toString(last).equals(stale(h, pki, "tls/rotation/" + last)));
        }
        assertThat(put(client, pki, "tls/after", "2")).isTrue();
        for (Host h : servers) {
            Agents.await(Duration.ofSeconds(30)).until(() -> "2".equals(stale(h, pki, "tls/after")));
        }
        for (Host.Proc p : procs) {
            assertThat(p.isAlive()).isTrue();
            assertThat(readLog(p)).doesNotContain("Failed reloading");
        }
    }

    /** {@code env CONSUL_HTTP_ADDR=... CONSUL_HTTP_SSL=true CONSUL_CACERT=... CONSUL_CLIENT_CERT/KEY=... roster <args>}. */
    private static List<String> withEnv(Pki pki, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("env", "CONSUL_HTTP_ADDR=127.0.0.1:8501", "CONSUL_HTTP_SSL=true",
                "CONSUL_CACERT=" + pki.ca(), "CONSUL_CLIENT_CERT=" + pki.cliCert(), "CONSUL_CLIENT_KEY=" + pki.cliKey()));
        cmd.addAll(Launcher.javaCommand());
        cmd.addAll(args);
        return cmd;
    }

    private static String awaitLogLine(Host.Proc p, String needle) {
        return awaitLogLine(p, needle, 0);
    }

    /** The first line of the process's log from {@code offset} on that contains {@code needle} (waits up to 90 s). */
    private static String awaitLogLine(Host.Proc p, String needle, int offset) {
        String[] found = {null};
        Agents.await(Duration.ofSeconds(90)).until(() -> {
            String log = readLog(p);
            int at = log.indexOf(needle, Math.min(offset, log.length()));
            if (at < 0) {
                return false;
            }
            int start = log.lastIndexOf('\n', at) + 1;
            int end = log.indexOf('\n', at);
            found[0] = log.substring(start, end < 0 ? log.length() : end);
            return true;
        });
        return found[0];
    }
}
