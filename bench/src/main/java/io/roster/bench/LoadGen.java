package io.roster.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The closed-loop load generator every system gets: {@code clients} platform threads, each sending
 * one request and waiting for its answer before the next, for a bounded time. Counts answered
 * requests and errors; latencies go to a {@link Stats}.
 */
final class LoadGen {
    /** Completed requests, errors, the measured seconds, and the latencies of the completed ones. */
    record Result(long ops, long errors, double seconds, Stats stats, String firstError) {
        double throughput() {
            return seconds > 0 ? ops / seconds : 0;
        }
    }

    private LoadGen() {
    }

    static Result run(int clients, Duration d, SideSystem.Op op) throws InterruptedException {
        AtomicLong ops = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong lastDone = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        Stats total = new Stats();
        CountDownLatch done = new CountDownLatch(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients, r -> {
            Thread t = new Thread(r, "load");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        long end = start + d.toNanos();
        try {
            for (int c = 0; c < clients; c++) {
                int client = c;
                pool.execute(() -> {
                    Stats mine = new Stats();
                    long seq = 0;
                    int failuresInARow = 0;
                    try {
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            try {
                                op.call(client, seq++);
                                long t1 = System.nanoTime();
                                mine.add(t1 - t0);
                                ops.incrementAndGet();
                                lastDone.accumulateAndGet(t1, Math::max);
                                failuresInARow = 0;
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            } catch (Exception e) {
                                errors.incrementAndGet();
                                firstError.compareAndSet(null, e.toString());
                                // A system that refuses everything must not turn this into a busy loop.
                                if (++failuresInARow > 3) {
                                    Thread.sleep(50);
                                }
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        total.addAll(mine);
                        done.countDown();
                    }
                });
            }
            if (!done.await(d.toSeconds() + 30, TimeUnit.SECONDS)) {
                firstError.compareAndSet(null, "clients still busy 30 s after the end");
            }
        } finally {
            pool.shutdownNow();
        }
        // Requests sent before the end may finish after it: they count, over the time they took.
        long measured = Math.max(end, lastDone.get()) - start;
        return new Result(ops.get(), errors.get(), measured / 1e9, total, firstError.get());
    }

    /**
     * Writes every key of every client once ({@value SideSystem#KEYS_PER_CLIENT} per client, the clients
     * in parallel), so that reads find them; fails if any write fails or it takes over 5 minutes.
     */
    static void prepare(String system, int clients, SideSystem.Op op) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int c = 0; c < clients; c++) {
                int client = c;
                pool.execute(() -> {
                    try {
                        for (int k = 0; k < SideSystem.KEYS_PER_CLIENT && failure.get() == null; k++) {
                            op.call(client, k);
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            if (!done.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException(system + ": writing the keys took over 5 minutes");
            }
        } finally {
            pool.shutdownNow();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(system + ": writing the keys failed: " + failure.get(), failure.get());
        }
    }
}
