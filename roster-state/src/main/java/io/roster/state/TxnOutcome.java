package io.roster.state;

import io.roster.api.KvPair;
import io.roster.api.TxnResponse;
import java.util.List;

/** The result of a transaction: the results when it committed, or the errors when it rolled back. */
public record TxnOutcome(List<KvPair> results, List<TxnResponse.Error> errors) implements ApplyResult {
    public boolean committed() {
        return errors == null || errors.isEmpty();
    }
}
