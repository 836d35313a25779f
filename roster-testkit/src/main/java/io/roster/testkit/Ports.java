package io.roster.testkit;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free local ports for the agents a test starts. Ports are handed out from 20000-32767, below Linux's
 * ephemeral range (32768-60999): a port the OS picked with bind(0) and that a test closed to give to an
 * agent can be taken, before the agent binds it, by any outgoing connection on the machine; a port
 * below that range cannot. Each JVM walks the range from its own offset, so two test JVMs rarely meet,
 * and every port is checked free for TCP and UDP (gossip and DNS bind both) before it is handed out.
 *
 * <p>A port is free when this JVM hands it out; another process may still bind it first. Whatever
 * binds it should retry with a new port on failure, as {@link RosterExtension} does.
 */
public final class Ports {
    /** The lowest port handed out. */
    public static final int LOW = 20000;
    /** The highest port handed out (Linux's ephemeral range starts above it). */
    public static final int HIGH = 32767;
    private static final AtomicInteger NEXT = new AtomicInteger(
            LOW + (int) ((ProcessHandle.current().pid() * 7919L) % (HIGH - LOW)));

    private Ports() {
    }

    /** A port free right now for TCP and UDP on every address, never handed out before by this JVM. */
    public static int free() throws IOException {
        for (int i = 0; i < HIGH - LOW; i++) {
            int p = next();
            if (freeForTcpAndUdp(p)) {
                return p;
            }
        }
        throw new IOException("no free port in " + LOW + "-" + HIGH);
    }

    /** A port p with p + 1 free too (a server port, and its gossip port next to it). */
    public static int freePair() throws IOException {
        for (int i = 0; i < HIGH - LOW; i++) {
            int p = next();
            if (p < HIGH && freeForTcpAndUdp(p) && freeForTcpAndUdp(p + 1)) {
                NEXT.incrementAndGet();
                return p;
            }
        }
        throw new IOException("no free port pair in " + LOW + "-" + HIGH);
    }

    private static int next() {
        return NEXT.getAndUpdate(p -> p >= HIGH ? LOW : p + 1);
    }

    private static boolean freeForTcpAndUdp(int port) {
        try (ServerSocket t = new ServerSocket(); DatagramSocket u = new DatagramSocket(null)) {
            t.bind(new InetSocketAddress("0.0.0.0", port));
            u.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
