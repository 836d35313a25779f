package io.roster.agent.http;

import io.roster.api.Durations;
import io.roster.state.Store;
import io.roster.state.WatchSet;
import io.roster.state.Watches;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one blocking-query helper every read endpoint uses ({@code ?index=N&wait=D}).
 *
 * <p>The query runs with a fresh {@link Watches.Waiter} as its watch set. If its index differs from
 * {@code N} it is answered at once. Otherwise the request is parked: no thread is held (the Jetty
 * callback is completed later), and the waiter re-runs the query on the wake executor when one of
 * the rows the query touched changes, or answers with the current state when {@code wait} plus a
 * random jitter of up to {@code wait/16} expires. An index lower than {@code N} (state restored from
 * an older snapshot) is answered at once so the client can reset, as Consul's docs ask clients to.
 */
public final class BlockingQuery {
    /** Consul's default wait. */
    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    /** Consul's maximum wait; longer requests are clamped. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final Store store;
    /** Wall-clock microseconds at which the latest parked query was answered (for benchmarks). */
    private final java.util.concurrent.atomic.AtomicLong lastAnsweredMicros = new java.util.concurrent.atomic.AtomicLong();
    private final ScheduledExecutorService timer;
    private final Executor wake;

    private final io.roster.state.Replicator replicator;

    public BlockingQuery(Store store, io.roster.state.Replicator replicator, ScheduledExecutorService timer, Executor wake) {
        this.store = store;
        this.replicator = replicator;
        this.timer = timer;
        this.wake = wake;
    }

    /**
     * Serves a read: parses {@code index}/{@code wait}/{@code stale}/{@code consistent}, runs
     * {@code query} (blocking when asked), and hands the result to {@code render}, which must answer.
     */
    /** The scheduler the waits run on (shared with the ACL leader duties). */
    java.util.concurrent.ScheduledExecutorService timer() {
        return timer;
    }

    public <T> void serve(Call call, Function<WatchSet, Store.Read<T>> query, BiConsumer<Call, Store.Read<T>> render) {
        serve(call, query, render, false);
    }

    /**
     * {@link #serve} for a read whose index identifies its whole answer (the catalog and health
     * reads: any change to what they return moves their index), so that an immediate answer is
     * also taken from, or rendered once into, the answers shared at that index: many clients
     * polling {@code health/service/<s>} cost one serialization per change, not one per request.
     */
    public <T> void serveShared(Call call, Function<WatchSet, Store.Read<T>> query, BiConsumer<Call, Store.Read<T>> render) {
        serve(call, query, render, true);
    }

    /**
     * {@link #serveShared} with an index probe: {@code probe} watches what {@code query} watches
     * and returns the index it would report, without building the answer. A request that will
     * park (its index is current) then costs the probe, not the query: 1,000 watchers parking on
     * a 10,000-instance {@code health/service} build no answer until a change wakes them.
     */
    public <T> void serveShared(Call call, java.util.function.ToLongFunction<WatchSet> probe,
                                Function<WatchSet, Store.Read<T>> query, BiConsumer<Call, Store.Read<T>> render) {
        String idx = call.param("index");
        long minIndex = idx == null || idx.isEmpty() ? 0 : call.longParam("index", 0, "Invalid index");
        String key = call.shareKey();
        // Also for a read at once (no index): when the answer at the current index is rendered, the
        // request costs the probe and a copy-free send, not a 10,000-instance read per request.
        boolean open = call.identity() == io.roster.agent.acl.Identity.OPEN;
        serve(call, ws -> {
            PREFETCHED.remove();
            long at = probe.applyAsLong(ws);
            // Only a read that registers watches can park; any other (an answer at once, a timed-out
            // or woken read) needs the value, unless the answer at that index is already rendered:
            // then the thread that goes on to answer takes it (no query at all for 99,999 of 100k).
            if (ws != WatchSet.NONE && at == minIndex) {
                return new Store.Read<>(null, at);
            }
            Shared e = key == null ? null : shared.get(key);
            Call.Captured ready = e == null ? null : e.ready(at, open);
            if (ready != null) {
                PREFETCHED.set(new Prefetched(key, at, ready));
                return new Store.Read<>(null, at);
            }
            return query.apply(WatchSet.NONE);
        }, render, true);
    }

    /** An answer found rendered by a probe, for the same thread's {@link #answerShared} to send. */
    private static final ThreadLocal<Prefetched> PREFETCHED = new ThreadLocal<>();

    /** Sent only to the call it was found for (same key, same index), never to another on that thread. */
    private record Prefetched(String key, long index, Call.Captured answer) {
    }

    private <T> void serve(Call call, Function<WatchSet, Store.Read<T>> query, BiConsumer<Call, Store.Read<T>> render,
                           boolean shareAtOnce) {
        if (call.has("stale") && call.has("consistent")) {
            throw HttpError.badRequest("Cannot specify ?stale with ?consistent, conflicting semantics.");
        }
        // Like Consul's parseWait: an empty ?index= is no index, and a wait that is zero or
        // negative means the default wait (Consul's blockingQuery), not "answer at once".
        String idx = call.param("index");
        long minIndex = idx == null || idx.isEmpty() ? 0 : call.longParam("index", 0, "Invalid index");
        Duration wait = parseWait(call);
        // Consistency modes: ?stale answers from this server's state; ?consistent waits for a
        // linearizable read barrier; the default is answered by a server that believes it leads,
        // from its state, without consulting a lease (as Consul's default mode: a deposed leader may
        // answer stale data for a moment, see docs/reliability.md), so a follower takes the barrier instead,
        // and so does a leader not yet ready (just elected, its log not applied: fault run seed 3003).
        boolean barrier = !call.has("stale") && (call.has("consistent") || !replicator.leaderReady());
        if (!barrier) {
            block(call, minIndex, wait, query, shareAtOnce ? sharing(render) : render);
            return;
        }
        replicator.readBarrier().whenComplete((ok, err) -> {
            if (err != null) {
                call.error(500, "No cluster leader");
                return;
            }
            try {
                block(call, minIndex, wait, query, shareAtOnce ? sharing(render) : render);
            } catch (HttpError e) {
                call.error(e.status(), e.getMessage());
            } catch (RuntimeException e) {
                call.error(500, "Internal error: " + e);
            }
        });
    }

    /**
     * Hash-based blocking ({@code ?hash=H&wait=D}, as {@code /v1/agent/service/<id>} does): the
     * query's "index" is a 64-bit content hash; the request parks while it equals {@code H}.
     */
    public <T> void serveHash(Call call, Function<WatchSet, Store.Read<T>> query, BiConsumer<Call, Store.Read<T>> render) {
        String h = call.param("hash");
        long minHash = 0;
        if (h != null && !h.isEmpty()) {
            try {
                minHash = Long.parseUnsignedLong(h, 16);
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("Invalid hash");
            }
        }
        block(call, minHash, parseWait(call), query, render);
    }

    /**
     * Blocks while the query's "index" (any 64-bit value, e.g. a hash) equals {@code minIndex}
     * (0: answer at once), with {@code ?wait} as usual; for reads whose index is not a Raft index
     * ({@code /v1/event/list}).
     */
    public <T> void serveUntilChanged(Call call, long minIndex, Function<WatchSet, Store.Read<T>> query,
                                      BiConsumer<Call, Store.Read<T>> render) {
        block(call, minIndex, parseWait(call), query, render);
    }

    /** A render that sends the answer shared at the read's index (rendering it if none is). */
    private <T> BiConsumer<Call, Store.Read<T>> sharing(BiConsumer<Call, Store.Read<T>> render) {
        return new Sharing<>(render);
    }

    /** Marks a render whose answers may be shared at once (see {@link #serveShared}). */
    private final class Sharing<T> implements BiConsumer<Call, Store.Read<T>> {
        final BiConsumer<Call, Store.Read<T>> render;

        Sharing(BiConsumer<Call, Store.Read<T>> render) {
            this.render = render;
        }

        @Override
        public void accept(Call call, Store.Read<T> read) {
            answerShared(call, read, render, false);
        }
    }

    /** {@code ?wait=}: a Go duration; absent or empty means the default. */
    private static Duration parseWait(Call call) {
        String w = call.param("wait");
        if (w == null || w.isEmpty()) {
            return DEFAULT_WAIT;
        }
        try {
            return Durations.parse(w);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("Invalid wait time");
        }
    }

    /** The content hash form used by {@link #serveHash}: 16 hex digits. */
    public static String hashString(long hash) {
        return String.format("%016x", hash);
    }

    private <T> void block(Call call, long minIndex, Duration wait, Function<WatchSet, Store.Read<T>> query,
                           BiConsumer<Call, Store.Read<T>> render) {
        if (minIndex == 0) {
            render.accept(call, query.apply(WatchSet.NONE));
            return;
        }
        if (wait.isNegative() || wait.isZero()) {
            wait = DEFAULT_WAIT;
        } else if (wait.compareTo(MAX_WAIT) > 0) {
            wait = MAX_WAIT;
        }
        long waitNanos = wait.toNanos();
        long jitter = waitNanos / 16 > 0 ? ThreadLocalRandom.current().nextLong(waitNanos / 16) : 0;
        new Parked<>(call, minIndex, waitNanos + jitter, query, render).attempt(false);
    }

    /** Epoch microseconds at which the latest parked query (one that waited) was handed its answer. */
    public long lastAnsweredMicros() {
        return lastAnsweredMicros.get();
    }

    /** How many requests are parked now. */
    public long parked() {
        return store.watches().parked();
    }

    // ------------------------------------------------------------------ one rendering per index and query

    /** How long a rendered answer may be handed to other watchers woken at the same index. */
    private static final long SHARE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_SHARED = 512;

    /**
     * Answers rendered for woken watchers, by {@link Call#shareKey()}: every watcher of one query
     * woken by one write finds the same index and is sent the same bytes (and the same gzipped
     * bytes), so 100k watchers of one key cost one serialization, not 100k.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Shared> shared = new java.util.concurrent.ConcurrentHashMap<>();
    /** Renderings done for woken watchers, and answers sent to woken watchers (for tests and benchmarks). */
    private final java.util.concurrent.atomic.LongAdder renderings = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder sharedAnswers = new java.util.concurrent.atomic.LongAdder();

    private static final class Shared {
        final long index;
        final long born = System.nanoTime();
        /**
         * Rendered for a caller without ACLs (Identity.OPEN): then the index is the whole version of
         * the answer and it stays shared for as long as the index holds. With ACLs a token's policy
         * can change without moving the read's index, so a rendering is shared for SHARE_NANOS only.
         */
        final boolean open;
        private Call.Captured answer;
        private boolean failed;

        Shared(long index, boolean open) {
            this.index = index;
            this.open = open;
        }

        boolean fresh(long index, boolean open) {
            return this.index == index && this.open == open && (open || System.nanoTime() - born < SHARE_NANOS);
        }

        /** The rendered answer at {@code index}, if there is one and it is fresh. */
        synchronized Call.Captured ready(long index, boolean open) {
            return fresh(index, open) ? answer : null;
        }
    }

    /**
     * Answers a woken watcher with the answer rendered for its query at this index, rendering it
     * if it is the first. A render that throws answers this call with the error (it runs inside
     * {@code finish}, so nothing else would) and leaves the others to render their own.
     */
    private <T> void answerShared(Call call, Store.Read<T> read, BiConsumer<Call, Store.Read<T>> render, boolean woken) {
        if (woken) {
            sharedAnswers.increment();
        }
        Prefetched pre = PREFETCHED.get();
        if (pre != null) {
            PREFETCHED.remove();
            if (pre.index() == read.index() && pre.key().equals(call.shareKey())) {
                call.replay(pre.answer());
                return;
            }
        }
        try {
            Call.Captured answer = call.shareKey() == null ? null : sharedAnswer(call, read, render, woken);
            if (answer == null) {
                render.accept(call, read);
            } else {
                call.replay(answer);
            }
        } catch (HttpError e) {
            call.error(e.status(), e.getMessage());
        } catch (RuntimeException e) {
            call.error(500, "Internal error: " + e);
        }
    }

    private <T> Call.Captured sharedAnswer(Call call, Store.Read<T> read, BiConsumer<Call, Store.Read<T>> render, boolean woken) {
        String key = call.shareKey();
        if (shared.size() > MAX_SHARED) {
            shared.values().removeIf(e -> e.open || !e.fresh(e.index, false));
            if (shared.size() > MAX_SHARED) {
                shared.clear();
            }
        }
        boolean open = call.identity() == io.roster.agent.acl.Identity.OPEN;
        Shared entry = shared.compute(key, (k, e) -> e != null && e.fresh(read.index(), open) ? e : new Shared(read.index(), open));
        synchronized (entry) {
            if (entry.answer == null && !entry.failed) {
                entry.failed = true;
                Call capture = call.capturing();
                if (woken) {
                    renderings.increment();
                }
                render.accept(capture, read);
                entry.answer = capture.captured();
                entry.failed = entry.answer == null;
            }
            return entry.answer;
        }
    }

    /** Renderings made for woken watchers so far. */
    public long wokenRenderings() {
        return renderings.sum();
    }

    /** Woken watchers answered so far (each with a shared or its own rendering). */
    public long wokenAnswers() {
        return sharedAnswers.sum();
    }

    private final class Parked<T> implements Runnable {
        private final Call call;
        private final long minIndex;
        private final long deadline;
        private final long waitNanos;
        private final Function<WatchSet, Store.Read<T>> query;
        private final BiConsumer<Call, Store.Read<T>> render;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile boolean timedOut;
        private volatile Watches.Waiter waiter;
        private volatile ScheduledFuture<?> timeout;

        Parked(Call call, long minIndex, long waitNanos, Function<WatchSet, Store.Read<T>> query,
               BiConsumer<Call, Store.Read<T>> render) {
            this.call = call;
            this.minIndex = minIndex;
            this.waitNanos = waitNanos;
            this.deadline = System.nanoTime() + waitNanos;
            this.query = query;
            this.render = render;
        }

        /** Woken by a watched change: run the query again. */
        @Override
        public void run() {
            try {
                attempt(true);
            } catch (HttpError e) {
                finish(() -> call.error(e.status(), e.getMessage()));
            } catch (RuntimeException e) {
                finish(() -> call.error(500, e.toString()));
            }
        }

        /**
         * Runs the query; answers if its index moved (or time is up), else parks on what it touched.
         * After a wake-up the query first runs without registering anything: usually the index has
         * moved, and 100k woken readers of one key then cost no registration churn on that key.
         */
        void attempt(boolean woken) {
            if (done.get()) {
                return;
            }
            boolean expired = timedOut || System.nanoTime() - deadline >= 0;
            if (woken) {
                call.recheckAcl(); // the token may have been deleted or changed while the query was parked
            }
            if (woken && !expired) {
                Store.Read<T> probe = query.apply(WatchSet.NONE);
                if (probe.index() != minIndex) {
                    finish(() -> answerShared(call, probe, render instanceof Sharing<T> sh ? sh.render : render, true));
                    markAnswered();
                    return;
                }
            }
            Watches.Waiter w = expired ? null : store.watches().newWaiter(() -> wake.execute(this));
            Store.Read<T> r;
            try {
                r = query.apply(w == null ? WatchSet.NONE : w);
            } catch (RuntimeException e) {
                if (w != null) {
                    w.cancel();
                }
                throw e;
            }
            if (expired || r.index() != minIndex) {
                if (w != null) {
                    w.cancel();
                }
                finish(() -> render.accept(call, r));
                if (woken) {
                    markAnswered();
                }
                return;
            }
            waiter = w;
            if (timeout == null) {
                synchronized (this) {
                    if (timeout == null) {
                        timeout = timer.schedule(this::expire, waitNanos, TimeUnit.NANOSECONDS);
                    }
                }
            }
            if (timedOut && w.cancel()) {
                wake.execute(this);
            }
        }

        private void markAnswered() {
            java.time.Instant now = java.time.Instant.now();
            lastAnsweredMicros.accumulateAndGet(now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000, Math::max);
        }

        private void expire() {
            timedOut = true;
            Watches.Waiter w = waiter;
            if (w == null || w.cancel()) {
                wake.execute(this);
            }
        }

        private void finish(Runnable answer) {
            if (done.compareAndSet(false, true)) {
                ScheduledFuture<?> t = timeout;
                if (t != null) {
                    t.cancel(false);
                }
                answer.run();
            }
        }
    }
}
