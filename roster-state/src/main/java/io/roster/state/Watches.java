package io.roster.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry of parked readers, keyed finely: exact KV keys, KV prefixes, and named topics.
 *
 * <p>A write to key {@code a/b/c} wakes the watchers of that key and of each of its prefixes
 * ({@code "", "a", "a/", ... "a/b/c"}), and nobody else. Waking removes the whole waiter set of a key
 * in one step, so 100k readers parked on one key cost one map removal plus one callback each.
 */
public final class Watches {
    private final ConcurrentSkipListMap<String, Set<Waiter>> keys = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<String, Set<Waiter>> prefixes = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<String, Set<Waiter>> topics = new ConcurrentHashMap<>();
    private final AtomicLong parked = new AtomicLong();

    /** A new waiter whose {@code onFire} runs once, on the writing thread, when a watched row changes. */
    public Waiter newWaiter(Runnable onFire) {
        return new Waiter(onFire);
    }

    /** How many waiters are registered and not yet fired or cancelled. */
    public long parked() {
        return parked.get();
    }

    /** Wakes the watchers of one changed KV key. */
    void keyChanged(String key) {
        fire(keys, key);
        if (!prefixes.isEmpty()) {
            for (int i = 0; i <= key.length(); i++) {
                fire(prefixes, key.substring(0, i));
            }
        }
    }

    /** Wakes the watchers of every key under {@code prefix} and of prefixes overlapping it. */
    void treeChanged(String prefix) {
        fireRange(keys, prefix);
        fireRange(prefixes, prefix);
        for (int i = 0; i < prefix.length(); i++) {
            fire(prefixes, prefix.substring(0, i));
        }
    }

    /** Wakes every topic watcher (after a restore replaced the whole state). */
    void allTopicsChanged() {
        for (String t : new ArrayList<>(topics.keySet())) {
            fire(topics, t);
        }
    }

    /** Wakes the watchers of a topic (also used for agent-local state that lives outside the store). */
    public void topicChanged(String topic) {
        fire(topics, topic);
    }

    private void fireRange(ConcurrentSkipListMap<String, Set<Waiter>> map, String prefix) {
        for (String k : new ArrayList<>(KvTable.withPrefix(map, prefix).keySet())) {
            if (k.startsWith(prefix)) {
                fire(map, k);
            }
        }
    }

    private static void fire(Map<String, Set<Waiter>> map, String key) {
        Set<Waiter> set = map.remove(key);
        if (set != null) {
            for (Waiter w : set) {
                w.fire();
            }
        }
    }

    private static void add(Map<String, Set<Waiter>> map, String key, Waiter w) {
        map.compute(key, (k, set) -> {
            Set<Waiter> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(w);
            return s;
        });
    }

    private static void remove(Map<String, Set<Waiter>> map, String key, Waiter w) {
        map.computeIfPresent(key, (k, set) -> {
            set.remove(w);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * One parked reader. It registers itself as the read touches rows and fires at most once:
     * either a watched row changes, or it is cancelled (answered for another reason).
     */
    public final class Waiter implements WatchSet {
        private static final int PENDING = 0;
        private static final int DONE = 1;
        private final AtomicInteger state = new AtomicInteger(PENDING);
        private final Runnable onFire;
        private final List<Object> regs = new ArrayList<>(2);

        private Waiter(Runnable onFire) {
            this.onFire = onFire;
            parked.incrementAndGet();
        }

        @Override
        public void watchKey(String key) {
            register(keys, key);
        }

        @Override
        public void watchPrefix(String prefix) {
            register(prefixes, prefix);
        }

        @Override
        public void watchTopic(String topic) {
            register(topics, topic);
        }

        private void register(Map<String, Set<Waiter>> map, String key) {
            if (state.get() != PENDING) {
                return;
            }
            synchronized (regs) {
                regs.add(map);
                regs.add(key);
            }
            add(map, key, this);
            if (state.get() != PENDING) {
                // Fired or cancelled while registering: do not leave this waiter behind.
                remove(map, key, this);
            }
        }

        /** Whether this waiter has fired or been cancelled. */
        public boolean isDone() {
            return state.get() == DONE;
        }

        /** Stops waiting without firing; returns false when it had already fired. */
        public boolean cancel() {
            if (state.compareAndSet(PENDING, DONE)) {
                deregister();
                return true;
            }
            return false;
        }

        void fire() {
            if (state.compareAndSet(PENDING, DONE)) {
                deregister();
                onFire.run();
            }
        }

        @SuppressWarnings("unchecked")
        private void deregister() {
            parked.decrementAndGet();
            synchronized (regs) {
                for (int i = 0; i < regs.size(); i += 2) {
                    remove((Map<String, Set<Waiter>>) regs.get(i), (String) regs.get(i + 1), this);
                }
                regs.clear();
            }
        }
    }

    /** For tests: the number of KV keys, prefixes and topics that have at least one watcher. */
    int watchedRows() {
        return keys.size() + prefixes.size() + topics.size();
    }
}
