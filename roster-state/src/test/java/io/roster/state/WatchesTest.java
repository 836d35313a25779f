package io.roster.state;

import static io.roster.state.Cmds.delete;
import static io.roster.state.Cmds.deleteTree;
import static io.roster.state.Cmds.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which writes wake which parked readers, exactly once, and nothing else. */
class WatchesTest {
    private final Store store = new Store();
    private final Watches watches = store.watches();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A named waiter and how often it fired. */
    private record Probe(Watches.Waiter waiter, AtomicInteger fired) {
    }

    private final Map<String, Probe> probes = new LinkedHashMap<>();

    private Probe probe(String name) {
        AtomicInteger fired = new AtomicInteger();
        Probe p = new Probe(watches.newWaiter(fired::incrementAndGet), fired);
        probes.put(name, p);
        return p;
    }

    private void onKey(String key) {
        store.kvGet(probe("key " + key).waiter(), key);
    }

    private void onPrefix(String prefix) {
        store.kvList(probe("prefix \"" + prefix + "\"").waiter(), prefix);
    }

    private List<String> fired() {
        List<String> out = new ArrayList<>();
        probes.forEach((name, p) -> {
            if (p.fired().get() > 0) {
                out.add(name);
            }
        });
        return out;
    }

    @Test
    void aWriteWakesItsKeyAndEveryPrefixOfItAndNobodyElse() {
        store.apply(1, set("a/b/c", "old"));
        onKey("a/b/c");
        onPrefix("");
        onPrefix("a");
        onPrefix("a/");
        onPrefix("a/b");
        onPrefix("a/b/");
        onPrefix("a/b/c");
        onKey("x");
        onKey("a/b");
        onKey("a/b/c/d");
        onPrefix("x/");
        onPrefix("a/c");
        onPrefix("a/b/c/");
        onPrefix("b");

        store.apply(2, set("a/b/c", "new"));

        assertThat(fired()).containsExactly("key a/b/c", "prefix \"\"", "prefix \"a\"", "prefix \"a/\"",
                "prefix \"a/b\"", "prefix \"a/b/\"", "prefix \"a/b/c\"");
        assertThat(watches.parked()).isEqualTo(7);
    }

    @Test
    void creatingAndDeletingAKeyWakeItsWatchers() {
        onKey("k");
        store.apply(1, set("k", "v"));
        onKey("k2");
        store.apply(2, delete("k"));
        assertThat(probes.get("key k").fired()).hasValue(1);
        assertThat(probes.get("key k2").fired()).hasValue(0);
    }

    @Test
    void deleteTreeWakesKeysAndPrefixesUnderItAndPrefixesAboveIt() {
        store.apply(1, set("a/b", "v"));
        store.apply(2, set("a/c/d", "v"));
        store.apply(3, set("b", "v"));
        onKey("a/b");
        onKey("a/never-written");
        onPrefix("a/b/");
        onPrefix("a/c/");
        onPrefix("a/\uffffq");
        onPrefix("");
        onPrefix("a");
        onKey("b");
        onPrefix("b/");
        onPrefix("ab");

        store.apply(4, deleteTree("a/"));

        assertThat(fired()).containsExactly("key a/b", "key a/never-written", "prefix \"a/b/\"", "prefix \"a/c/\"",
                "prefix \"a/\uffffq\"", "prefix \"\"", "prefix \"a\"");
    }

    @Test
    void deleteTreeOfNothingWakesNobody() {
        store.apply(1, set("b", "v"));
        onPrefix("");
        onKey("a/x");
        store.apply(2, deleteTree("a/"));
        assertThat(fired()).isEmpty();
    }

    @Test
    void aWaiterFiresOnceAndDeregistersEverywhere() {
        AtomicInteger fired = new AtomicInteger();
        Watches.Waiter w = watches.newWaiter(fired::incrementAndGet);
        store.kvGet(w, "k");
        store.kvList(w, "");
        store.kvList(w, "k");
        store.sessions(w);
        assertThat(watches.parked()).isEqualTo(1);
        assertThat(watches.watchedRows()).isEqualTo(4);

        store.apply(1, set("k", "1"));
        store.apply(2, set("k", "2"));
        store.apply(3, Cmds.releaseSession("s"));

        assertThat(fired).hasValue(1);
        assertThat(w.isDone()).isTrue();
        assertThat(w.cancel()).as("cancel after fire").isFalse();
        assertThat(watches.parked()).isZero();
        assertThat(watches.watchedRows()).isZero();
    }

    @Test
    void cancelDeregistersWithoutFiring() {
        AtomicInteger fired = new AtomicInteger();
        Watches.Waiter w = watches.newWaiter(fired::incrementAndGet);
        store.kvGet(w, "k");
        store.kvList(w, "k/");
        store.sessions(w);
        Watches.Waiter other = watches.newWaiter(() -> { });
        store.kvGet(other, "k");
        assertThat(watches.parked()).isEqualTo(2);

        assertThat(w.cancel()).isTrue();
        assertThat(w.cancel()).isFalse();
        assertThat(w.isDone()).isTrue();
        assertThat(watches.parked()).isEqualTo(1);
        assertThat(watches.watchedRows()).as("only the other waiter's key is left").isEqualTo(1);

        store.apply(1, set("k/x", "v"));
        store.apply(2, set("k", "v"));
        store.apply(3, Cmds.releaseSession("s"));
        assertThat(fired).hasValue(0);
        assertThat(other.isDone()).isTrue();
        assertThat(watches.parked()).isZero();
        assertThat(watches.watchedRows()).isZero();
    }

    @Test
    void aDoneWaiterRegistersNothing() {
        Watches.Waiter w = watches.newWaiter(() -> { });
        w.cancel();
        store.kvGet(w, "k");
        store.kvList(w, "");
        store.sessions(w);
        assertThat(watches.watchedRows()).isZero();
        assertThat(watches.parked()).isZero();
    }

    @Test
    void kvWritesDoNotWakeSessionWatchersAndSessionWritesDoNotWakeKvWatchers() {
        onPrefix("");
        Probe sessions = probe("sessions");
        store.sessions(sessions.waiter());
        store.apply(1, Cmds.releaseSession("s"));
        assertThat(fired()).containsExactly("sessions");
        Probe again = probe("sessions again");
        store.sessions(again.waiter());
        store.apply(2, set("k", "v"));
        assertThat(fired()).containsExactly("prefix \"\"", "sessions");
    }

    @Test
    void tenThousandWaitersOnOneKeyAllFireOnOneWrite() {
        AtomicInteger fired = new AtomicInteger();
        List<Watches.Waiter> waiters = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Watches.Waiter w = watches.newWaiter(fired::incrementAndGet);
            store.kvGet(w, "hot");
            waiters.add(w);
        }
        assertThat(watches.parked()).isEqualTo(10_000);
        assertThat(watches.watchedRows()).isEqualTo(1);

        store.apply(1, set("hot", "v"));

        assertThat(fired).hasValue(10_000);
        assertThat(waiters).allMatch(Watches.Waiter::isDone);
        assertThat(watches.parked()).isZero();
        assertThat(watches.watchedRows()).isZero();
    }

    @Test
    void restoreWakesEveryKvAndSessionWatcher() throws Exception {
        Store other = new Store();
        other.apply(1, set("z", "v"));
        byte[] snap = Snapshots.bytes(other);
        onKey("a");
        onPrefix("q/");
        Probe s = probe("sessions");
        store.sessions(s.waiter());
        Snapshots.restore(store, snap);
        assertThat(fired()).containsExactly("key a", "prefix \"q/\"", "sessions");
    }

    /**
     * A reader on another thread loops like a blocking query: read, and if the value is not yet the
     * last one, park until woken. With writes racing the reads, a lost wake-up would leave it parked.
     */
    @Test
    void aBlockingReaderRacingWritesNeverMissesTheLastOne() {
        int writes = 2_000;
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            int wakeUps = 0;
            while (true) {
                CountDownLatch woken = new CountDownLatch(1);
                Watches.Waiter w = watches.newWaiter(woken::countDown);
                var r = store.kvGet(w, "counter");
                if (r.value() != null && r.value().valueAsString().equals(Integer.toString(writes))) {
                    w.cancel();
                    return wakeUps;
                }
                try {
                    woken.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                wakeUps++;
            }
        }, pool);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            // Start only once the reader is parked, so that it has to be woken at least once.
            await().atMost(Duration.ofSeconds(10)).until(() -> watches.parked() == 1);
            for (int i = 1; i <= writes; i++) {
                store.apply(i, set("counter", Integer.toString(i)));
            }
        }, pool);

        await().atMost(Duration.ofSeconds(20)).until(() -> writer.isDone() && reader.isDone());
        assertThat(writer).isCompleted();
        assertThat(reader.join()).isPositive();
        assertThat(watches.parked()).isZero();
    }
}
