package io.roster.agent.dns;

import static io.roster.agent.dns.DnsAgent.node;
import static io.roster.agent.dns.DnsAgent.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real {@code dig} (Debian's bind9-dnsutils) against an in-process agent. Skipped when dig is
 * not installed, except in CI ({@code CI=true}), where a missing dig fails the test.
 */
class DigTest {
    @RegisterExtension
    static final DnsAgent AGENT = DnsAgent.dev();

    private static String dig;

    @BeforeAll
    static void setUp() throws Exception {
        dig = findDig();
        if (dig == null && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("dig is not installed: CI must install bind9-dnsutils");
        }
        Assumptions.assumeTrue(dig != null, "dig is not installed (apt-get install bind9-dnsutils)");
        AGENT.register(node("n1", "10.0.0.1", Map.of("rack", "r1")), service("web-1", "web", "", 80, List.of("primary")));
        AGENT.register(node("n2", "10.0.0.2", Map.of()), service("web-2", "web", "", 81, List.of()));
        for (int i = 1; i <= 40; i++) {
            AGENT.register(node("big-" + i, "10.1.0." + i, Map.of()), service("big-" + i, "big", "", 9000, List.of()));
        }
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

    /** Runs dig against the agent (one try, 2 s timeout) and returns its output. */
    private static String dig(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(dig, "@127.0.0.1", "-p", String.valueOf(AGENT.port()),
                "+time=2", "+tries=1"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("dig did not finish: " + cmd);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static List<String> shortLines(String... args) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        a.add("+short");
        return dig(a.toArray(String[]::new)).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void serviceAddresses() throws Exception {
        assertThat(shortLines("web.service.consul")).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
        assertThat(shortLines("primary.web.service.dc1.consul", "A")).containsExactly("10.0.0.1");
        assertThat(shortLines("+tcp", "web.service.consul")).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
    }

    @Test
    void srvRecords() throws Exception {
        assertThat(shortLines("_web._tcp.service.consul", "SRV"))
                .containsExactlyInAnyOrder("1 1 80 n1.node.dc1.consul.", "1 1 81 n2.node.dc1.consul.");
        String full = dig("web.service.consul", "SRV");
        assertThat(full).contains("status: NOERROR").contains("ADDITIONAL SECTION")
                .contains("n1.node.dc1.consul.\t0\tIN\tA\t10.0.0.1");
    }

    @Test
    void nodesTxtAndReverse() throws Exception {
        assertThat(shortLines("n1.node.consul")).containsExactly("10.0.0.1");
        assertThat(shortLines("n1.node.consul", "TXT")).containsExactly("\"rack=r1\"");
        assertThat(shortLines("-x", "10.0.0.1")).containsExactly("n1.node.dc1.consul.");
        assertThat(shortLines("0a000001.addr.consul")).containsExactly("10.0.0.1");
    }

    @Test
    void statusCodes() throws Exception {
        String nx = dig("nosuch.service.consul");
        assertThat(nx).contains("status: NXDOMAIN").contains("AUTHORITY SECTION")
                .contains("IN\tSOA\tns.consul. hostmaster.consul.");
        assertThat(dig("web.service.consul", "TXT")).contains("status: NOERROR").contains("ANSWER: 0");
        assertThat(dig("example.com")).contains("status: REFUSED");
    }

    @Test
    void truncationOverUdpAndFullAnswerOverTcp() throws Exception {
        String udp = dig("+noedns", "+ignore", "big.service.consul");
        assertThat(udp).contains("flags: qr aa tc rd");
        String tcp = dig("+tcp", "big.service.consul");
        assertThat(tcp).contains("ANSWER: 40,");
        // dig's default (EDNS 1232) gets everything in one datagram.
        assertThat(dig("big.service.consul")).contains("ANSWER: 40,").doesNotContain(" tc ");
    }
}
