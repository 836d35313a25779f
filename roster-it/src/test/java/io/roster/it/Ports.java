package io.roster.it;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free local ports for the agent processes a test starts. */
public final class Ports {
    private Ports() {
    }

    /** A TCP port free right now (the OS picks it). */
    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A port p with p + 1 free for TCP and UDP too (a server port, and its gossip port next to it). */
    public static int freePair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p = free();
            if (p < 65535 && freeForTcpAndUdp(p + 1)) {
                return p;
            }
        }
        throw new IOException("no free port pair");
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
