package io.roster.it.lin;

import java.util.Arrays;
import java.util.List;

/**
 * A bank of accounts moved by transactions: each transfer is one {@code /v1/txn} that checks both
 * accounts' ModifyIndex (as read) and sets both new balances, so when it commits it is exactly a
 * move of {@code amount} from one account to another; a refused txn (409) did nothing and is
 * recorded as failed; and it can take effect only where both balances are still what the client
 * read before (which also bounds where a transfer of unknown outcome may go). Reads see every balance at once ({@code ?recurse}). The whole bank is one
 * partition. Besides linearizability, every read's sum must be the initial total
 * ({@link #total}), which a read equal to a reachable state implies.
 */
public final class BankModel implements Model<BankModel.Balances> {
    /** Balances, by account number. */
    public record Balances(List<Long> amounts) {
        public long sum() {
            return amounts.stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * A committed move; output {@code true}. {@code fromBefore} and {@code toBefore} are the two
     * balances the client read before (its txn's check-index holds only while both accounts are
     * unchanged since that read, so the move can have taken effect only in a state with those
     * balances), or -1 when not known (any state).
     */
    public record Transfer(int from, int to, long amount, long fromBefore, long toBefore) {
        public Transfer(int from, int to, long amount) {
            this(from, to, amount, -1, -1);
        }

        @Override
        public String toString() {
            return "transfer " + amount + " " + from + "->" + to + (fromBefore < 0 ? "" : " from " + fromBefore + "/" + toBefore);
        }
    }

    /** A read of every balance; output {@link Balances}. */
    public record Read() {
        @Override
        public String toString() {
            return "read bank";
        }
    }

    private final Balances initial;

    public BankModel(int accounts, long each) {
        Long[] a = new Long[accounts];
        Arrays.fill(a, each);
        this.initial = new Balances(List.of(a));
    }

    public long total() {
        return initial.sum();
    }

    @Override
    public Balances init() {
        return initial;
    }

    @Override
    public Balances step(Balances s, Object input, Object output, boolean unknown) {
        return switch (input) {
            case Transfer t -> {
                if (t.fromBefore() >= 0 && (s.amounts().get(t.from()) != t.fromBefore() || s.amounts().get(t.to()) != t.toBefore())) {
                    yield null; // its check-index would have failed here
                }
                Long[] a = s.amounts().toArray(Long[]::new);
                a[t.from()] -= t.amount();
                a[t.to()] += t.amount();
                yield new Balances(List.of(a));
            }
            case Read r -> unknown || s.equals(output) ? s : null;
            default -> throw new IllegalArgumentException("not a bank operation: " + input);
        };
    }
}
