package io.roster.agent.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/** A plain DNS client over real sockets to 127.0.0.1: one question, one answer, no retries, no caching. */
final class DnsClient {
    static final int TIMEOUT_MS = 5000;
    private final InetSocketAddress server;

    DnsClient(int port) {
        this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** A query for {@code name} (absolute or not) and {@code type}, RD set, with a random ID. */
    static Message query(String name, int type) {
        try {
            Name n = Name.fromString(name.endsWith(".") ? name : name + ".");
            Message m = Message.newQuery(Record.newRecord(n, type, DClass.IN));
            m.getHeader().setID(ThreadLocalRandom.current().nextInt(0x10000));
            return m;
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The same query with an EDNS0 OPT record offering {@code payload} bytes. */
    static Message edns(String name, int type, int payload) {
        Message m = query(name, type);
        m.addRecord(new OPTRecord(payload, 0, 0), Section.ADDITIONAL);
        return m;
    }

    Message udp(String name, int type) {
        return udp(query(name, type));
    }

    Message tcp(String name, int type) {
        return tcp(query(name, type));
    }

    Message udp(Message q) {
        byte[] r = udpRaw(q.toWire());
        if (r == null) {
            throw new AssertionError("no UDP answer within " + TIMEOUT_MS + " ms to " + q.getQuestion());
        }
        return parse(r);
    }

    Message tcp(Message q) {
        try (Socket s = new Socket()) {
            s.connect(server, TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            return parse(tcpExchange(s, q.toWire()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one framed message on an open connection and reads one framed reply. */
    static byte[] tcpExchange(Socket s, byte[] wire) throws IOException {
        OutputStream out = s.getOutputStream();
        byte[] framed = new byte[wire.length + 2];
        framed[0] = (byte) (wire.length >>> 8);
        framed[1] = (byte) wire.length;
        System.arraycopy(wire, 0, framed, 2, wire.length);
        out.write(framed);
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        int len = in.readUnsignedShort();
        byte[] r = new byte[len];
        in.readFully(r);
        return r;
    }

    /** Sends raw bytes over UDP; the raw reply, or null when none came within the timeout. */
    byte[] udpRaw(byte[] packet) {
        return udpRaw(packet, TIMEOUT_MS);
    }

    byte[] udpRaw(byte[] packet, int timeoutMs) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(timeoutMs);
            s.send(new DatagramPacket(packet, packet.length, server));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            byte[] out = new byte[p.getLength()];
            System.arraycopy(buf, 0, out, 0, out.length);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    InetSocketAddress address() {
        return server;
    }

    static Message parse(byte[] wire) {
        try {
            return new Message(wire);
        } catch (IOException e) {
            throw new AssertionError("unparseable reply: " + e, e);
        }
    }

    /**
     * A section as {@code rdata} strings, e.g. {@code 10.0.0.1} or {@code 1 1 80 n1.node.dc1.consul.};
     * TXT records as their text, unquoted.
     */
    static List<String> rdata(Message m, int section) {
        return m.getSection(section).stream().map(DnsClient::rdata).toList();
    }

    static String rdata(Record r) {
        if (r instanceof org.xbill.DNS.TXTRecord t) {
            return String.join("", t.getStrings());
        }
        return r.rdataToString();
    }

    /** {@code owner TYPE rdata} of every record in a section. */
    static List<String> records(Message m, int section) {
        return m.getSection(section).stream()
                .map(r -> r.getName() + " " + org.xbill.DNS.Type.string(r.getType()) + " " + rdata(r)).toList();
    }
}
