package io.roster.bench;

import io.roster.agent.checks.CheckRunners;
import io.roster.agent.checks.CheckStatus;
import io.roster.api.CheckDefinition;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;

/**
 * The health-check runners under load, in this JVM: many TCP checks (interval 10s, each first run
 * staggered over one interval, as the runners do) against a few listening sockets on 127.0.0.1
 * that accept and close. Prints checks run per second, process CPU per second, heap used after GC
 * (and per check) and live platform threads. Bounded in time; asserts nothing.
 *
 * <pre>bench/run-checks            10,000 checks, 10 s warm-up + 60 s measured
 * bench/run-checks --smoke    1,000 checks, 2 s warm-up + 8 s measured (CI)</pre>
 *
 * <p>The CPU figure is the whole process: it includes the listeners' accepting and closing, which
 * a real agent would not pay.
 */
public final class ChecksBench {
    private static final int LISTENERS = 8;

    private ChecksBench() {
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        int checks = -1;
        int seconds = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--checks" -> checks = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("checks bench: unknown argument " + args[i]
                            + " (use --smoke, --checks N, --seconds S)");
                    System.exit(2);
                }
            }
        }
        if (checks < 0) {
            checks = smoke ? 1_000 : 10_000;
        }
        if (seconds < 0) {
            seconds = smoke ? 8 : 60;
        }
        Duration warmUp = Duration.ofSeconds(smoke ? 2 : 10);
        run(checks, warmUp, Duration.ofSeconds(seconds), smoke);
        System.exit(0);
    }

    private static void run(int checks, Duration warmUp, Duration measure, boolean smoke) throws Exception {
        System.out.printf(Locale.ROOT, "# Roster check runners benchmark (%s) on %d cores, %s%n", smoke ? "smoke" : "full",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + Runtime.version());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        List<ServerSocketChannel> listeners = new ArrayList<>();
        for (int i = 0; i < LISTENERS; i++) {
            ServerSocketChannel ch = ServerSocketChannel.open();
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            listeners.add(ch);
            Thread.ofVirtual().name("bench-accept-" + i).start(() -> acceptAndClose(ch));
        }

        Map<String, String> status = new ConcurrentHashMap<>();
        LongAdder updates = new LongAdder();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-check-scheduler");
            t.setDaemon(true);
            return t;
        });
        gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        int threadsBefore = threads.getThreadCount();
        threads.resetPeakThreadCount();

        CheckRunners runners = new CheckRunners(scheduler, (id, s, out) -> {
            status.put(id, s);
            updates.increment();
        }, CheckRunners.Options.defaults());
        try {
            for (int i = 0; i < checks; i++) {
                int port = ((InetSocketAddress) listeners.get(i % LISTENERS).getLocalAddress()).getPort();
                runners.start("tcp-" + i, tcp("127.0.0.1:" + port, "10s"));
            }
            System.out.printf(Locale.ROOT, "setup: %d TCP checks, interval 10s (first runs staggered over 10s), "
                    + "%d listeners on 127.0.0.1; warm-up %d s, measured %d s%n",
                    checks, LISTENERS, warmUp.toSeconds(), measure.toSeconds());
            Thread.sleep(warmUp); // the bench's own clock: a fixed-length phase, not a wait for a condition

            long runs0 = runners.runsCompleted();
            long runNanos0 = runners.runNanos();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            Thread.sleep(measure);
            long t1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            long runs = runners.runsCompleted() - runs0;
            long runNanos = runners.runNanos() - runNanos0;
            double secs = (t1 - t0) / 1e9;

            long passing = status.values().stream().filter(CheckStatus.PASSING::equals).count();
            int liveThreads = threads.getThreadCount();
            int peakThreads = threads.getPeakThreadCount();
            gc();
            long heapAfter = memory.getHeapMemoryUsage().getUsed();

            System.out.printf(Locale.ROOT, "runs: %.0f checks run/s (%d runs in %.1f s; expected %.0f/s), mean run %.2f ms%n",
                    runs / secs, runs, secs, checks / 10.0, runs == 0 ? 0 : runNanos / 1e6 / runs);
            System.out.printf(Locale.ROOT, "status: %d of %d checks passing; %d sink updates in all (only changes are reported)%n",
                    passing, checks, updates.sum());
            System.out.printf(Locale.ROOT, "cpu: %.1f ms of process CPU per second (%.3f cores), %.1f us per run "
                    + "(includes the listeners' accept/close)%n",
                    (cpu1 - cpu0) / 1e6 / secs, (cpu1 - cpu0) / 1e9 / secs, runs == 0 ? 0 : (cpu1 - cpu0) / 1e3 / runs);
            System.out.printf(Locale.ROOT, "heap: %.1f MB used after GC with the checks running (%.1f MB before they "
                    + "started; %.2f KB per check)%n",
                    heapAfter / 1048576.0, heapBefore / 1048576.0, (heapAfter - heapBefore) / 1024.0 / checks);
            System.out.printf(Locale.ROOT, "threads: %d live platform threads (peak %d, %d before the checks started); "
                    + "platform threads created by the runners: %d%n",
                    liveThreads, peakThreads, threadsBefore, runners.platformThreadsUsed());
        } finally {
            runners.close();
            scheduler.shutdownNow();
            for (ServerSocketChannel ch : listeners) {
                ch.close();
            }
        }
    }

    private static CheckDefinition tcp(String addr, String interval) {
        return new CheckDefinition(null, null, null, null, null, null, null, null, null, null, null, addr, null, null,
                null, null, null, null, null, interval, null, null, null, null, null);
    }

    private static void acceptAndClose(ServerSocketChannel ch) {
        while (ch.isOpen()) {
            try {
                ch.accept().close();
            } catch (IOException e) {
                // closed at the end
            }
        }
    }

    private static void gc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }
}
