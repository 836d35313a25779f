package io.roster.agent.checks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * A TCP check: passing when a connection to {@code host:port} is accepted within the timeout
 * (default 10s), critical with the dial error otherwise. A name that resolves to several addresses
 * is tried address by address until one accepts, as Consul documents.
 */
final class TcpProbe implements Probe {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final String target;
    private final long timeoutNanos;

    TcpProbe(String target, Duration timeout) {
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
            return Result.critical("dial tcp: " + e.getMessage());
        }
        InetAddress[] addrs;
        try {
            addrs = InetAddress.getAllByName(hp.host());
        } catch (UnknownHostException e) {
            return Result.critical(GoErrors.lookup("tcp", hp.host(), e));
        }
        String firstError = null;
        for (InetAddress a : addrs) {
            long left = deadline - System.nanoTime();
            String addr = HostPort.join(a, hp.port());
            if (left <= 0) {
                return Result.critical(firstError != null ? firstError : "dial tcp " + addr + ": i/o timeout");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(a, hp.port()), millis(left));
                return Result.passing("TCP connect " + target + ": Success");
            } catch (SocketTimeoutException e) {
                return Result.critical(GoErrors.dial("tcp", addr, e));
            } catch (IOException e) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (firstError == null) {
                    firstError = GoErrors.dial("tcp", addr, e);
                }
            }
        }
        return Result.critical(firstError);
    }

    /** A socket timeout in ms for the nanoseconds left: at least 1 (0 would mean "forever"). */
    static int millis(long nanos) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000));
    }
}
