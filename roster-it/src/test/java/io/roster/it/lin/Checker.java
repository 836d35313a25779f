package io.roster.it.lin;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linearizability checking by Wing and Gong's search with Lowe's memoization (the algorithm of
 * Porcupine and of Knossos' "linear" checker), after splitting the history into independent
 * partitions (per key) and checking each alone.
 *
 * <p>The search walks a doubly-linked list of call and return events in time order. At a call it
 * tries to linearize that operation now (the model must accept its output in the current state);
 * when that gives a (set of linearized operations, state) pair not seen before, the operation and
 * its return are lifted out of the list and the search starts again from the head. Reaching a return
 * event means an operation that had to have taken effect by then was not linearized: the search
 * backtracks to the last choice. The history is linearizable when every completed operation is
 * linearized; operations of unknown outcome return at infinity, so they may be linearized anywhere
 * after their call, or never.
 *
 * <p>Every partition is bounded by a deadline: a search that runs out of time answers
 * {@link Verdict#UNKNOWN}, never a guess.
 */
public final class Checker {
    private Checker() {
    }

    /** Linearizable, not, or not decided within the time given. */
    public enum Verdict { OK, ILLEGAL, UNKNOWN }

    /**
     * The outcome: the verdict, and for an illegal history the partition that is not linearizable
     * with its operations (for a report), and how long the check took.
     */
    public record Result(Verdict verdict, Object badPartition, List<Op> badOps, int partitions, int ops, Duration took) {
        public boolean ok() {
            return verdict == Verdict.OK;
        }

        @Override
        public String toString() {
            return verdict + " (" + ops + " ops in " + partitions + " partitions, " + took.toMillis() + " ms"
                    + (badPartition == null ? "" : ", not linearizable: partition " + badPartition + " (" + badOps.size() + " ops)") + ")";
        }
    }

    /** Checks a history against a model, with at most {@code timeout} for the whole check. */
    public static <S> Result check(Model<S> model, List<Op> history, Duration timeout) {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        Map<Object, List<Op>> parts = model.partition(history);
        Verdict overall = Verdict.OK;
        Object bad = null;
        List<Op> badOps = List.of();
        for (Map.Entry<Object, List<Op>> p : parts.entrySet()) {
            Verdict v = checkPartition(model, p.getValue(), deadline);
            if (v == Verdict.ILLEGAL) {
                overall = Verdict.ILLEGAL;
                bad = p.getKey();
                badOps = p.getValue();
                break;
            }
            if (v == Verdict.UNKNOWN) {
                overall = Verdict.UNKNOWN;
            }
        }
        return new Result(overall, bad, badOps, parts.size(), history.size(), Duration.ofNanos(System.nanoTime() - t0));
    }

    /** One event of the linked list: an operation's call or its return. */
    private static final class Entry {
        final int id;
        final Op op;
        final boolean isCall;
        final long time;
        Entry match; // a call's return
        Entry prev;
        Entry next;

        Entry(int id, Op op, boolean isCall, long time) {
            this.id = id;
            this.op = op;
            this.isCall = isCall;
            this.time = time;
        }
    }

    private record Cached(BitSet linearized, Object state) {
    }

    private record Frame(Entry entry, Object state) {
    }

    static <S> Verdict checkPartition(Model<S> model, List<Op> ops, long deadline) {
        if (ops.isEmpty()) {
            return Verdict.OK;
        }
        List<Entry> events = new ArrayList<>(ops.size() * 2);
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            Entry call = new Entry(i, op, true, op.call());
            Entry ret = new Entry(i, op, false, op.ret());
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        // Time order; at equal times calls first (operations that touch are concurrent).
        events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.isCall ? 0 : 1));
        Entry head = new Entry(-1, null, false, Long.MIN_VALUE);
        Entry last = head;
        for (Entry e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }

        BitSet linearized = new BitSet(ops.size());
        BitSet unknownOps = new BitSet(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            unknownOps.set(i, ops.get(i).unknown());
        }
        // (completed operations linearized, state) -> the sets of unknown operations linearized with them
        Map<Cached, List<BitSet>> cache = new HashMap<>();
        Deque<Frame> stack = new ArrayDeque<>();
        S state = model.init();
        Entry entry = head.next;
        long steps = 0;
        while (head.next != null) {
            if ((++steps & 0xFFF) == 0 && System.nanoTime() > deadline) {
                return Verdict.UNKNOWN;
            }
            if (entry == null) {
                // only reachable when the list holds nothing but calls of unknown operations
                return Verdict.OK;
            }
            if (entry.isCall) {
                S next = model.step(state, entry.op.input(), entry.op.output(), entry.op.unknown());
                if (next != null) {
                    BitSet with = (BitSet) linearized.clone();
                    with.set(entry.id);
                    if (remember(cache, with, unknownOps, next)) {
                        stack.push(new Frame(entry, state));
                        state = next;
                        linearized.set(entry.id);
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                if (entry.op.unknown()) {
                    // The first return left is at infinity: every completed operation is linearized.
                    return Verdict.OK;
                }
                if (stack.isEmpty()) {
                    return Verdict.ILLEGAL;
                }
                Frame top = stack.pop();
                @SuppressWarnings("unchecked")
                S back = (S) top.state();
                state = back;
                linearized.clear(top.entry().id);
                unlift(top.entry());
                entry = top.entry().next;
            }
        }
        return Verdict.OK;
    }

    /**
     * Lowe's memoization, with subsumption for operations of unknown outcome: a node (linearized set,
     * state) needs no search when one with the same completed operations linearized, the same state
     * and a subset of its unknown operations linearized was searched (or is being searched) already.
     * That node can do everything this one can: an unknown operation need never be linearized, and
     * one not yet linearized constrains nothing (it returns at infinity). So, for the first visit of
     * a node, or of one with fewer unknown operations, true; false to prune.
     */
    private static boolean remember(Map<Cached, List<BitSet>> cache, BitSet linearized, BitSet unknownOps, Object state) {
        BitSet completed = (BitSet) linearized.clone();
        completed.andNot(unknownOps);
        BitSet unknown = (BitSet) linearized.clone();
        unknown.and(unknownOps);
        List<BitSet> seen = cache.computeIfAbsent(new Cached(completed, state), k -> new ArrayList<>(1));
        for (BitSet u : seen) {
            BitSet extra = (BitSet) u.clone();
            extra.andNot(unknown);
            if (extra.isEmpty()) {
                return false; // u is a subset of unknown
            }
        }
        // the new set subsumes the ones it is a subset of: keep only the smaller
        seen.removeIf(u -> {
            BitSet extra = (BitSet) unknown.clone();
            extra.andNot(u);
            return extra.isEmpty();
        });
        seen.add(unknown);
        return true;
    }

    private static void lift(Entry call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Entry ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Entry call) {
        Entry ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
