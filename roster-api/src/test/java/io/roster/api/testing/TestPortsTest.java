package io.roster.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TestPortsTest {
    @Test
    void portsAreBelowTheEphemeralRangeDistinctAndBindableForTcpAndUdp() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            int p = TestPorts.free();
            assertThat(p).isBetween(TestPorts.LOW, TestPorts.HIGH);
            assertThat(p).as("below Linux's ephemeral range").isLessThan(32768);
            assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
            try (ServerSocket t = new ServerSocket(); DatagramSocket u = new DatagramSocket(null)) {
                t.bind(new InetSocketAddress("127.0.0.1", p));
                u.bind(new InetSocketAddress("127.0.0.1", p));
            }
        }
    }

    /**
     * A second JVM that starts its walk at exactly this JVM's ports (nothing has bound them, so the
     * bind check alone would hand them out again) gets other ports: this JVM holds their reservations.
     */
    @Test
    void anotherJvmStartingAtTheSamePortGetsOthers() throws Exception {
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(TestPorts.free());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Droster.testPorts.first=" + mine.get(0), Child.class.getName(), "5")
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM finished").isTrue();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(child.exitValue()).as(out).isZero();
        List<Integer> theirs = out.lines().filter(l -> l.matches("\\d+")).map(Integer::valueOf).toList();
        assertThat(theirs).as(out).hasSize(5).doesNotContainAnyElementsOf(mine);
        assertThat(theirs).allSatisfy(p -> assertThat(p).isBetween(TestPorts.LOW, TestPorts.HIGH));
    }

    /** The second JVM: prints the ports it is handed, one a line. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            for (int i = 0; i < Integer.parseInt(args[0]); i++) {
                System.out.println(TestPorts.free());
            }
        }
    }
}
