package io.roster.agent.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A tiny upstream DNS server for recursor tests, on UDP and TCP of one port of 127.0.0.1:
 * {@code example.org. A 192.0.2.1}; {@code big.example.org.} has 100 A records (TC over UDP,
 * everything over TCP); {@code 9.9.9.9.in-addr.arpa. PTR dns9.example.}; anything else NXDOMAIN.
 */
final class Upstream implements AutoCloseable {
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    final AtomicInteger udpQueries = new AtomicInteger();
    final AtomicInteger tcpQueries = new AtomicInteger();
    volatile int lastSeenId = -1;

    Upstream() throws IOException {
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int i = 0; i < 10 && t == null; i++) {
            u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                t = new ServerSocket(u.getLocalPort(), 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                u.close();
            }
        }
        if (t == null) {
            throw new IOException("no free port for both UDP and TCP");
        }
        udp = u;
        tcp = t;
        Thread.ofPlatform().daemon().name("upstream-udp").start(this::udpLoop);
        Thread.ofPlatform().daemon().name("upstream-tcp").start(this::tcpLoop);
    }

    int port() {
        return tcp.getLocalPort();
    }

    private void udpLoop() {
        byte[] buf = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                udpQueries.incrementAndGet();
                byte[] q = new byte[p.getLength()];
                System.arraycopy(buf, 0, q, 0, q.length);
                byte[] r = answer(q, false);
                udp.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a bad packet: go on until closed
            }
        }
    }

    private void tcpLoop() {
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                s.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] q = new byte[in.readUnsignedShort()];
                in.readFully(q);
                tcpQueries.incrementAndGet();
                byte[] r = answer(q, true);
                byte[] framed = new byte[r.length + 2];
                framed[0] = (byte) (r.length >>> 8);
                framed[1] = (byte) r.length;
                System.arraycopy(r, 0, framed, 2, r.length);
                s.getOutputStream().write(framed);
            } catch (IOException e) {
                // next connection
            }
        }
    }

    private byte[] answer(byte[] wire, boolean overTcp) throws IOException {
        Message q = new Message(wire);
        lastSeenId = q.getHeader().getID();
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.RA);
        if (q.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        Record question = q.getQuestion();
        r.addRecord(question, Section.QUESTION);
        String name = question.getName().toString().toLowerCase();
        if (name.equals("example.org.") && question.getType() == Type.A) {
            r.addRecord(new ARecord(question.getName(), DClass.IN, 60, InetAddress.getByName("192.0.2.1")), Section.ANSWER);
        } else if (name.equals("big.example.org.") && question.getType() == Type.A) {
            if (overTcp) {
                for (int i = 1; i <= 100; i++) {
                    r.addRecord(new ARecord(question.getName(), DClass.IN, 60, InetAddress.getByName("198.51.100." + i)),
                            Section.ANSWER);
                }
            } else {
                r.getHeader().setFlag(Flags.TC);
            }
        } else if (name.equals("9.9.9.9.in-addr.arpa.") && question.getType() == Type.PTR) {
            r.addRecord(new PTRRecord(question.getName(), DClass.IN, 60, Name.fromConstantString("dns9.example.")),
                    Section.ANSWER);
        } else {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        return r.toWire();
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
