package io.roster.server;

import io.roster.api.testing.TestPorts;
import io.roster.state.Command;
import io.roster.state.KvVerb;
import io.roster.state.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/** Manual probe (not a test): 3 in-process Ratis servers, N concurrent writers, prints writes/s. */
public final class RaftWriteLoad {
    public static void main(String[] args) throws Exception {
        int writers = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<String> addrs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            addrs.add("127.0.0.1:" + TestPorts.free());
        }
        List<RaftReplicator> rs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path d = Files.createTempDirectory(Path.of("/tmp/probe"), "r" + i);
            rs.add(new RaftReplicator(new Store(), addrs.get(i), addrs, d, 100_000, "dc1").start());
        }
        while (rs.stream().noneMatch(RaftReplicator::isLeader)) {
            Thread.sleep(50);
        }
        boolean viaFollower = args.length > 2 && args[2].equals("follower");
        RaftReplicator leader = rs.stream().filter(r -> r.isLeader() != viaFollower).findFirst().orElseThrow();
        byte[] v = new byte[256];
        long startIndex = leader.store().lastIndex();
        long total = 0;
        for (int round = 0; round < 2; round++) {
            AtomicLong done = new AtomicLong();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            CountDownLatch latch = new CountDownLatch(writers);
            for (int w = 0; w < writers; w++) {
                int id = w;
                Thread.ofVirtual().start(() -> {
                    long n = 0;
                    while (System.nanoTime() < end) {
                        leader.submit(new Command.Kv(KvVerb.SET, "k/" + id + "/" + (n++ % 32), v, 0, 0, null)).join();
                        done.incrementAndGet();
                    }
                    latch.countDown();
                });
            }
            latch.await();
            total += done.get();
            System.out.printf("round %d: %d writers, %.0f writes/s; %.1f writes per log entry so far%n", round, writers,
                    done.get() / (double) seconds, total / (double) (leader.store().lastIndex() - startIndex));
        }
        rs.forEach(RaftReplicator::close);
        System.exit(0);
    }
}
