package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * UDP checks, with Consul's semantics: a reply or silence until the timeout is passing; an error
 * (ICMP port unreachable on a closed port) is critical.
 */
class UdpCheckTest extends ChecksTest {

    @Test
    void aSilentListenerIsPassingWhenTheReadTimesOut() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String addr = "127.0.0.1:" + silent.getLocalPort();
            runners.start("dns", Def.udp(addr).timeout("200ms").build());
            awaitStatus("dns", CheckStatus.PASSING);
            assertThat(sink.output("dns")).isEqualTo("UDP connect " + addr + ": Success");
        }
    }

    @Test
    void aReplyingListenerIsPassing() throws Exception {
        DatagramSocket echo = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread replier = Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[64];
            while (!echo.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    echo.receive(p);
                    echo.send(new DatagramPacket(new byte[] {'!'}, 1, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
        try {
            String addr = "127.0.0.1:" + echo.getLocalPort();
            // A long timeout: only a reply can make this pass within the await.
            runners.start("dns", Def.udp(addr).timeout("1h").build());
            awaitStatus("dns", CheckStatus.PASSING);
            assertThat(sink.output("dns")).isEqualTo("UDP connect " + addr + ": Success");
        } finally {
            echo.close();
            replier.join();
        }
    }

    @Test
    void aClosedPortIsCritical() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort();
        }
        runners.start("dns", Def.udp("127.0.0.1:" + port).timeout("1h").build());
        awaitStatus("dns", CheckStatus.CRITICAL);
        assertThat(sink.output("dns")).matches("read udp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:" + port
                + ": read: connection refused");
    }
}
