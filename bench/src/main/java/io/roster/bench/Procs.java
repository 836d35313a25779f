package io.roster.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Every process the side-by-side benchmark starts, so that all of them (and their children) are
 * stopped at the end, on failure, and on Ctrl-C (a shutdown hook); loopback ports handed out once
 * each and checked free; and the resident set size of a process from {@code /proc}.
 */
final class Procs {
    private static final List<Process> STARTED = new ArrayList<>();
    private static final Set<Integer> PORTS = new HashSet<>();
    private static final List<Path> DIRS = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            killAll();
            deleteDirs();
        }, "bench-procs-cleanup"));
    }

    private Procs() {
    }

    /** Starts {@code cmd} with stdout and stderr to {@code log}, and remembers it for {@link #killAll}. */
    static Process start(List<String> cmd, Path log) throws IOException {
        synchronized (STARTED) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            STARTED.add(p);
            return p;
        }
    }

    /** Remembers a process started elsewhere (the Roster launcher). */
    static void track(Process p) {
        synchronized (STARTED) {
            STARTED.add(p);
        }
    }

    /** SIGTERM to the process and its descendants, SIGKILL to whatever is left after 10 s. */
    static void stop(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : tree) {
            long left = end - System.nanoTime();
            try {
                if (left <= 0) {
                    break;
                }
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                break;
            }
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        synchronized (STARTED) {
            STARTED.remove(p);
        }
    }

    /** Kills every process still alive that was started here, with its descendants (no grace: the hook's path). */
    static void killAll() {
        List<Process> all;
        synchronized (STARTED) {
            all = new ArrayList<>(STARTED);
            STARTED.clear();
        }
        for (Process p : all) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A directory (data dirs, logs) to delete when the run ends, however it ends. */
    static void deleteAtEnd(Path dir) {
        synchronized (DIRS) {
            DIRS.add(dir);
        }
    }

    /** Deletes the directories given to {@link #deleteAtEnd} (after {@link #killAll}: nothing writes there any more). */
    static void deleteDirs() {
        List<Path> dirs;
        synchronized (DIRS) {
            dirs = new ArrayList<>(DIRS);
            DIRS.clear();
        }
        for (Path dir : dirs) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Collections.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + dir + ": " + e);
            }
        }
    }

    /**
     * A loopback TCP port that is free now and was not handed out before in this run (the kernel may
     * give a just-closed ephemeral port again; every system here needs several distinct ones).
     */
    static synchronized int freePort() throws IOException {
        for (int i = 0; i < 100; i++) {
            int port;
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                port = s.getLocalPort();
            }
            if (PORTS.add(port) && !listening(port)) {
                return port;
            }
        }
        throw new IOException("no free loopback port after 100 tries");
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** VmRSS of a live process in bytes, from /proc/<pid>/status; 0 if it is gone. */
    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    static long rss(List<Process> ps) {
        long sum = 0;
        for (Process p : ps) {
            sum += rss(p.pid());
        }
        return sum;
    }

    /**
     * The summed RSS once it stops moving (two readings 250 ms apart within 1%), at most 5 s: a JVM
     * gives memory back to the system in the background after a full GC.
     */
    static long settledRss(List<Process> ps) throws InterruptedException {
        long prev = rss(ps);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            Thread.sleep(250);
            long now = rss(ps);
            if (Math.abs(now - prev) <= prev / 100) {
                return now;
            }
            prev = now;
        }
        return prev;
    }

    /** Runs a full GC in a JVM (jcmd GC.run), so that a memory reading taken next starts from live data. */
    static void gc(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process j = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!j.waitFor(60, TimeUnit.SECONDS)) {
                j.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println("jcmd GC.run " + pid + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code n} lines of a log, for an error message. */
    static String tail(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The first executable named {@code cmd} on PATH or in the sbin directories; null if none. */
    static Path which(String cmd) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/bin", "/usr/local/sbin"));
        for (String dir : dirs) {
            Path p = Path.of(dir, cmd);
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** One attempt at a system's first answer: true when answered; false or an IOException when not yet. */
    interface Probe {
        boolean answered() throws Exception;
    }

    /**
     * W8: starts {@code cmd}, tries {@code probe} every 5 ms until it answers (60 s at most), and
     * gives the time from spawn and the RSS at that moment; the process is stopped afterwards.
     */
    static SideSystem.Start firstAnswer(String name, List<String> cmd, Path log, String note, Probe probe) throws Exception {
        long t0 = System.nanoTime();
        Process p = start(cmd, log);
        try {
            long deadline = t0 + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(name + " exited:\n" + tail(log, 20));
                }
                boolean ok;
                try {
                    ok = probe.answered();
                } catch (IOException notYet) {
                    ok = false;
                }
                if (ok) {
                    long took = System.nanoTime() - t0;
                    return new SideSystem.Start(took, rss(p.pid()), note);
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException(name + ": no answer within 60 s:\n" + tail(log, 20));
        } finally {
            stop(p);
        }
    }
}
