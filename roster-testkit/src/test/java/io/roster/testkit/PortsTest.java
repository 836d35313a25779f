package io.roster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {
    @Test
    void portsAreBelowTheEphemeralRangeDistinctAndBindableForTcpAndUdp() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int p = Ports.free();
            assertThat(p).isBetween(Ports.LOW, Ports.HIGH);
            assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
        }
        int p = Ports.free();
        try (ServerSocket t = new ServerSocket(); DatagramSocket u = new DatagramSocket(null)) {
            t.bind(new InetSocketAddress("127.0.0.1", p));
            u.bind(new InetSocketAddress("127.0.0.1", p));
            assertThat(t.getLocalPort()).isEqualTo(p);
        }
    }

    @Test
    void aPairIsTwoNeighbouringFreePortsThatAreNotHandedOutAgain() throws Exception {
        int p = Ports.freePair();
        assertThat(p + 1).isLessThanOrEqualTo(Ports.HIGH);
        for (int i = 0; i < 20; i++) {
            int q = Ports.free();
            assertThat(q).isNotIn(p, p + 1);
        }
    }

    @Test
    void aPortInUseIsSkipped() throws Exception {
        int p = Ports.free();
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress("0.0.0.0", p));
            for (int i = 0; i < 20; i++) {
                assertThat(Ports.free()).isNotEqualTo(p);
            }
        }
    }
}
