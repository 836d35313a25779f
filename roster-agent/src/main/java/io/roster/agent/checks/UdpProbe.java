package io.roster.agent.checks;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * A UDP check, with Consul's semantics: send a datagram to {@code host:port} on a connected socket
 * and wait up to the timeout (default 10s) for anything back. Consul sends an empty datagram; the
 * JDK does not put an empty datagram on the wire, so this one carries a single NUL byte. A reply is
 * passing; so is silence until the timeout ("if any timeout on read exists, the check is still
 * considered healthy"); an error, such as the ICMP port-unreachable that Java surfaces as
 * {@link java.net.PortUnreachableException}, is critical.
 */
final class UdpProbe implements Probe {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final String target;
    private final long timeoutNanos;

    UdpProbe(String target, Duration timeout) {
        this.target = target;
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public Result run() throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        HostPort hp;
        try {
            hp = HostPort.parse(target);
        } catch (IllegalArgumentException e) {
            return Result.critical("dial udp: " + e.getMessage());
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(hp.host());
        } catch (UnknownHostException e) {
            return Result.critical(GoErrors.lookup("udp", hp.host(), e));
        }
        String remote = HostPort.join(a, hp.port());
        String success = "UDP connect " + target + ": Success";
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(a, hp.port()));
            String local = HostPort.join(s.getLocalAddress(), s.getLocalPort());
            try {
                s.send(new DatagramPacket(new byte[1], 1));
                s.setSoTimeout(TcpProbe.millis(deadline - System.nanoTime()));
                s.receive(new DatagramPacket(new byte[1], 1));
                return Result.passing(success);
            } catch (SocketTimeoutException e) {
                return Result.passing(success);
            } catch (IOException e) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                return Result.critical(GoErrors.udpRead(local, remote, e));
            }
        } catch (IOException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            return Result.critical(GoErrors.dial("udp", remote, e));
        }
    }
}
