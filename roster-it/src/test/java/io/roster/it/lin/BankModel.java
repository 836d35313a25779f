package io.roster.it.lin;

import java.util.Arrays;
import java.util.List;

/**
 * A bank of accounts moved by transactions: each transfer is one {@code /v1/txn} that checks both
 * accounts' ModifyIndex (as read) and sets both new balances, so when it commits it is exactly a
 * move of {@code amount} from one account to another; a refused txn (409) did nothing and is
 * recorded as failed. Reads see every balance at once ({@code ?recurse}). The whole bank is one
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

    /** A committed move; output {@code true}. */
    public record Transfer(int from, int to, long amount) {
        @Override
        public String toString() {
            return "transfer " + amount + " " + from + "->" + to;
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
