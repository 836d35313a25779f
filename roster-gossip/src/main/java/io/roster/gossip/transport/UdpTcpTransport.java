package io.roster.gossip.transport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real transport: one UDP socket and one TCP server socket on the same port (as memberlist and
 * Consul's 8301). Packets are datagrams; a stream is a TCP connection carrying one length-prefixed
 * request frame and one length-prefixed reply frame ({@code [u32 length][bytes]}), after which it is
 * closed. A handler that declines to reply closes the connection without a frame.
 *
 * <p>Threads: one platform thread reads UDP; TCP accepts and every stream (inbound or outbound) run on
 * virtual threads. Inbound datagrams are read into a 64 KiB buffer so that oversized ones reach the
 * member to be counted, not silently truncated.
 */
public final class UdpTcpTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(UdpTcpTransport.class);
    /** Largest stream frame accepted (a push-pull of a large pool fits with room to spare). */
    public static final int MAX_FRAME = 16 * 1024 * 1024;
    private static final int MAX_DATAGRAM = 65_536;
    private static final long INBOUND_STREAM_TIMEOUT_MILLIS = 10_000;

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final String host;
    private final int port;
    private final ConcurrentHashMap<String, InetSocketAddress> resolved = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private UdpTcpTransport(DatagramSocket udp, ServerSocket tcp, String host) {
        this.udp = udp;
        this.tcp = tcp;
        this.host = host;
        this.port = udp.getLocalPort();
    }

    /**
     * Binds UDP and TCP on {@code bindHost:port}. With port 0 an ephemeral port is chosen that is free
     * for both protocols. The advertised host is {@code bindHost}: use the three-argument form when
     * binding a wildcard address.
     */
    public static UdpTcpTransport bind(String bindHost, int port) throws IOException {
        return bind(bindHost, port, bindHost);
    }

    /**
     * Binds on {@code bindHost:port} (e.g. {@code 0.0.0.0}) and advertises {@code advertiseHost} to
     * other members (Consul's {@code advertise} address), with the bound port.
     */
    public static UdpTcpTransport bind(String bindHost, int port, String advertiseHost) throws IOException {
        if (advertiseHost == null || advertiseHost.isBlank()) {
            throw new IllegalArgumentException("gossip: an advertise host is needed");
        }
        InetAddress addr = InetAddress.getByName(bindHost);
        IOException last = null;
        for (int attempt = 0; attempt < (port == 0 ? 20 : 1); attempt++) {
            DatagramSocket udp = new DatagramSocket(null);
            try {
                udp.bind(new InetSocketAddress(addr, port));
                ServerSocket tcp = new ServerSocket();
                try {
                    tcp.setReuseAddress(true);
                    tcp.bind(new InetSocketAddress(addr, udp.getLocalPort()), 256);
                    udp.setReceiveBufferSize(2 * 1024 * 1024);
                    return new UdpTcpTransport(udp, tcp, advertiseHost);
                } catch (IOException e) {
                    tcp.close();
                    throw e;
                }
            } catch (BindException e) {
                udp.close();
                last = e;
            } catch (IOException e) {
                udp.close();
                throw e;
            }
        }
        throw new BindException("gossip: cannot bind UDP and TCP on " + bindHost + ":" + port + ": "
                + (last == null ? "" : last.getMessage()));
    }

    @Override
    public void start(Handler handler) {
        Thread reader = new Thread(() -> readPackets(handler), "gossip-udp-" + port);
        reader.setDaemon(true);
        reader.start();
        Thread.ofVirtual().name("gossip-tcp-accept-" + port).start(() -> acceptStreams(handler));
    }

    private void readPackets(Handler handler) {
        byte[] buf = new byte[MAX_DATAGRAM];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("gossip: UDP receive failed on port {}: {}", port, e.toString());
                }
                continue;
            }
            byte[] data = new byte[p.getLength()];
            System.arraycopy(p.getData(), p.getOffset(), data, 0, p.getLength());
            String from = p.getAddress().getHostAddress() + ":" + p.getPort();
            try {
                handler.onPacket(from, data);
            } catch (RuntimeException e) {
                LOG.warn("gossip: packet handler failed", e);
            }
        }
    }

    private void acceptStreams(Handler handler) {
        while (!closed) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("gossip: TCP accept failed on port {}: {}", port, e.toString());
                }
                continue;
            }
            Thread.ofVirtual().start(() -> serveStream(s, handler));
        }
    }

    private void serveStream(Socket s, Handler handler) {
        String from = s.getInetAddress().getHostAddress() + ":" + s.getPort();
        try (s) {
            s.setSoTimeout((int) INBOUND_STREAM_TIMEOUT_MILLIS);
            byte[] req = readFrame(new DataInputStream(s.getInputStream()));
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            handler.onStream(from, req, reply::complete);
            byte[] r = reply.get(INBOUND_STREAM_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (r != null) {
                writeFrame(new DataOutputStream(s.getOutputStream()), r);
            }
        } catch (Exception e) {
            LOG.debug("gossip: inbound stream from {} failed: {}", from, e.toString());
        }
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("stream frame of " + len + " bytes is over the " + MAX_FRAME + "-byte limit");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    private static void writeFrame(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
        out.flush();
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    private InetSocketAddress resolve(String address) {
        InetSocketAddress a = resolved.get(address);
        if (a == null) {
            int colon = address.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("gossip: address must be host:port, got '" + address + "'");
            }
            String h = address.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            int p;
            try {
                p = Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("gossip: invalid port in address '" + address + "'");
            }
            a = new InetSocketAddress(h, p);
            if (resolved.size() > 4096) {
                resolved.clear();
            }
            resolved.put(address, a);
        }
        return a;
    }

    @Override
    public void sendPacket(String address, byte[] packet) {
        if (closed) {
            return;
        }
        try {
            udp.send(new DatagramPacket(packet, packet.length, resolve(address)));
        } catch (IOException | RuntimeException e) {
            LOG.debug("gossip: UDP send to {} failed: {}", address, e.toString());
        }
    }

    @Override
    public void exchange(String address, byte[] request, long timeoutMillis, StreamCallback callback) {
        if (closed) {
            callback.onError("transport closed");
            return;
        }
        Thread.ofVirtual().start(() -> {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            try (Socket s = new Socket()) {
                s.connect(resolve(address), (int) Math.max(1, timeoutMillis));
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IOException("i/o timeout");
                }
                s.setSoTimeout((int) left);
                writeFrame(new DataOutputStream(s.getOutputStream()), request);
                byte[] reply;
                try {
                    reply = readFrame(new DataInputStream(s.getInputStream()));
                } catch (EOFException eof) {
                    callback.onError("connection closed without a reply");
                    return;
                }
                callback.onReply(reply);
            } catch (java.net.UnknownHostException e) {
                callback.onError("no such host: " + e.getMessage());
            } catch (java.net.SocketTimeoutException e) {
                callback.onError("i/o timeout");
            } catch (IOException | RuntimeException e) {
                // The text reaches HTTP answers (PUT /v1/agent/join): the message, never the exception's class name.
                callback.onError(e.getMessage() == null ? "connection failed" : e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            LOG.debug("gossip: closing TCP listener: {}", e.toString());
        }
    }
}
