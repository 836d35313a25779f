package io.roster.agent.checks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A real TCP listener on 127.0.0.1 that accepts and closes every connection (on a virtual thread). */
final class TcpListener implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;

    TcpListener() throws IOException {
        server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().name("test-tcp-accept").start(() -> {
            while (!server.isClosed()) {
                try {
                    // Closed at once, normally: a reset could reach the client before its connect completes.
                    server.accept().close();
                } catch (IOException e) {
                    // closed
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
