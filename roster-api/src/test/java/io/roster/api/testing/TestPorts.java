package io.roster.api.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free local ports for the tests of modules below the testkit (roster-server, roster-agent,
 * roster-tools), which cannot use {@code io.roster.testkit.Ports} without a reactor cycle; they get
 * this class through roster-api's test-jar. Ports come from 20000-32767, below Linux's ephemeral
 * range (32768-60999), so that no outgoing connection on the machine can take a port between this
 * class handing it out and the agent binding it, which is what can happen to a port picked with
 * {@code new ServerSocket(0)} and closed. Each JVM starts at its own offset and walks the range once
 * before it reuses a port; a port is handed out only when it is free for TCP and UDP (gossip and DNS
 * bind both) and this JVM holds its reservation: a file lock on
 * {@code <java.io.tmpdir>/roster-test-ports/<port>}, kept until the JVM exits, so two JVMs using this
 * class never get the same port even when neither has bound it yet.
 *
 * <p>A process that does not use this class may still bind a port first: a test that cannot tolerate
 * that should retry.
 */
public final class TestPorts {
    /** The lowest port handed out. */
    public static final int LOW = 20000;
    /** The highest port handed out (Linux's ephemeral range starts above it). */
    public static final int HIGH = 32767;
    /** Where the reservations are kept. */
    static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "roster-test-ports");
    // Another multiplier than the testkit's, so that a JVM using both starts them apart;
    // -Droster.testPorts.first fixes the start (TestPortsTest starts two JVMs at the same port).
    private static final AtomicInteger NEXT = new AtomicInteger(Integer.getInteger("roster.testPorts.first",
            LOW + (int) ((ProcessHandle.current().pid() * 7907L + 6007L) % (HIGH - LOW))));
    /** The reservations this JVM holds (a lock is released when its channel is collected or closed). */
    private static final List<FileLock> HELD = new CopyOnWriteArrayList<>();

    private TestPorts() {
    }

    /**
     * A port free right now for TCP and UDP on every address, reserved for this JVM, not handed out
     * before by this JVM; also the port to use for a connection that must be refused (nothing listens
     * on it).
     */
    public static int free() throws IOException {
        Files.createDirectories(DIR);
        for (int i = 0; i <= HIGH - LOW; i++) {
            int p = next();
            if (freeForTcpAndUdp(p) && reserve(p)) {
                return p;
            }
        }
        throw new IOException("no free port in " + LOW + "-" + HIGH);
    }

    private static int next() {
        return NEXT.getAndUpdate(p -> p >= HIGH ? LOW : p + 1);
    }

    /** Takes the port's lock file, or false when another JVM holds it. */
    private static boolean reserve(int port) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(DIR.resolve(Integer.toString(port)), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            return false; // another user's reservation
        }
        try {
            FileLock lock = ch.tryLock();
            if (lock != null) {
                HELD.add(lock);
                return true;
            }
        } catch (OverlappingFileLockException e) {
            // held by this JVM already (a second walk of the range): not free for a new use
        }
        ch.close();
        return false;
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
